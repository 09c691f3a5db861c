//! Sizes, bounds and coverage of the experimental designs.

use perelom_analysis::design::{
    full_factorial, latin_hypercube, morris, saltelli, sobol_points, Block, Factor, Levels, MorrisDesign, MAX_POINTS,
};
use perelom_analysis::qmc::{SobolSequence, MAX_DIMS};
use perelom_engine::Streams;
use proptest::prelude::*;

fn unit_factors(k: usize) -> Vec<Factor> {
    (0..k).map(|i| Factor::new(format!("x{i}"), 0.0, 1.0).unwrap()).collect()
}

/// Reference points from SciPy 1.x, `scipy.stats.qmc.Sobol(d=64, scramble=False)`:
/// (index, [(dimension, value)]).
const SCIPY: [(u32, [(usize, f64); 8]); 4] = [
    (37, [(0, 0.921875), (1, 0.640625), (2, 0.578125), (7, 0.796875), (15, 0.484375), (31, 0.140625), (47, 0.265625), (63, 0.828125)]),
    (
        1029,
        [
            (0, 0.87646484375),
            (1, 0.50146484375),
            (2, 0.32275390625),
            (7, 0.96240234375),
            (15, 0.73193359375),
            (31, 0.34130859375),
            (47, 0.64404296875),
            (63, 0.34130859375),
        ],
    ),
    (
        65535,
        [
            (0, 1.52587890625e-05),
            (1, 0.9999847412109375),
            (2, 0.5637969970703125),
            (7, 0.7276763916015625),
            (15, 0.4792633056640625),
            (31, 0.5090179443359375),
            (47, 0.2407379150390625),
            (63, 0.2963714599609375),
        ],
    ),
    (
        100000,
        [
            (0, 0.06107330322265625),
            (1, 0.10758209228515625),
            (2, 0.9435806274414062),
            (7, 0.03574371337890625),
            (15, 0.05928802490234375),
            (31, 0.47466278076171875),
            (47, 0.04346466064453125),
            (63, 0.45888519287109375),
        ],
    ),
];

#[test]
fn sobol_matches_scipy_reference_points() {
    let seq = SobolSequence::new(MAX_DIMS).unwrap();
    let first: Vec<Vec<f64>> = seq.points(8, 0).unwrap().iter().map(|p| p[..3].to_vec()).collect();
    let expected = [
        [0.0, 0.0, 0.0],
        [0.5, 0.5, 0.5],
        [0.75, 0.25, 0.25],
        [0.25, 0.75, 0.75],
        [0.375, 0.375, 0.625],
        [0.875, 0.875, 0.125],
        [0.625, 0.125, 0.875],
        [0.125, 0.625, 0.375],
    ];
    for (got, want) in first.iter().zip(expected) {
        assert_eq!(got.as_slice(), want.as_slice());
    }
    for (index, values) in SCIPY {
        let p = seq.point(index);
        for (d, v) in values {
            assert_eq!(p[d], v, "index {index}, dimension {d}");
        }
    }
}

#[test]
fn sobol_first_two_dimensions_form_a_0_m_2_net() {
    // For n = 2^m, every elementary box [a/2^i, (a+1)/2^i) × [b/2^(m−i), (b+1)/2^(m−i))
    // holds exactly one point.
    let m = 10;
    let n = 1usize << m;
    let pts = sobol_points(&unit_factors(2), n, 0).unwrap().points;
    for i in 0..=m {
        let (cx, cy) = (1usize << i, 1usize << (m - i));
        let mut counts = vec![0u32; n];
        for p in &pts {
            let (a, b) = ((p[0] * cx as f64) as usize, (p[1] * cy as f64) as usize);
            counts[a * cy + b] += 1;
        }
        assert!(counts.iter().all(|&c| c == 1), "boxes of shape 2^-{i} × 2^-{}", m - i);
    }
}

#[test]
fn sobol_every_dimension_is_stratified() {
    // Each coordinate of the first 2^m points hits each interval [j/2^m, (j+1)/2^m) once,
    // and so does every later block of 2^m points.
    let n = 256;
    for skip in [0, 256, 4096] {
        let pts = sobol_points(&unit_factors(MAX_DIMS), n, skip).unwrap().points;
        for d in 0..MAX_DIMS {
            let mut seen = vec![false; n];
            for p in &pts {
                let cell = (p[d] * n as f64) as usize;
                assert!(!seen[cell], "skip {skip}, dimension {d}, cell {cell} hit twice");
                seen[cell] = true;
            }
        }
    }
}

#[test]
fn sobol_design_argument_errors() {
    assert!(sobol_points(&unit_factors(MAX_DIMS + 1), 4, 0).unwrap_err().contains("at most 64"));
    assert!(sobol_points(&[], 4, 0).is_err());
    assert!(sobol_points(&unit_factors(2), MAX_POINTS + 1, 0).unwrap_err().contains("limit"));
}

#[test]
fn full_factorial_enumerates_every_combination_once() {
    let l = [
        Levels::new("a", vec![1.0, 2.0, 3.0]).unwrap(),
        Levels::new("b", vec![-1.0, 1.0]).unwrap(),
        Factor::integer("c", 0.0, 3.0).unwrap().levels(4).unwrap(),
    ];
    let d = full_factorial(&l).unwrap();
    assert_eq!(d.len(), 3 * 2 * 4);
    assert_eq!(d.names, ["a", "b", "c"]);
    assert_eq!(d.points[0], vec![1.0, -1.0, 0.0]);
    assert_eq!(d.points[1], vec![1.0, -1.0, 1.0]);
    assert_eq!(d.points[23], vec![3.0, 1.0, 3.0]);
    let mut keys: Vec<String> = d.points.iter().map(|p| format!("{p:?}")).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 24);
    assert!(full_factorial(&[Levels { name: "e".into(), values: vec![] }]).unwrap_err().contains("empty"));
}

#[test]
fn saltelli_blocks_share_base_points() {
    let f = vec![Factor::new("a", -1.0, 1.0).unwrap(), Factor::integer("n", 1.0, 9.0).unwrap(), Factor::new("c", 5.0, 6.0).unwrap()];
    let n = 64;
    let s = saltelli(&f, n).unwrap();
    assert_eq!(s.design.len(), n * (f.len() + 2));
    assert_eq!(s.k(), 3);
    assert_eq!(s.rows(Block::B), n..2 * n);
    assert_eq!(s.rows(Block::AB(2)), 4 * n..5 * n);
    assert_eq!(s.rows(Block::AB(3)), 0..0);
    assert_eq!(s.block(s.design.len()), None);
    for (row, p) in s.design.points.iter().enumerate() {
        let (block, j) = s.block(row).unwrap();
        assert!(s.rows(block).contains(&row));
        assert_eq!(j, row - s.rows(block).start);
        for (x, fac) in p.iter().zip(&f) {
            assert!(fac.contains(*x), "{x} outside {fac:?}");
        }
        if let Block::AB(i) = block {
            let (a, b) = (&s.design.points[j], &s.design.points[n + j]);
            for c in 0..3 {
                assert_eq!(p[c], if c == i { b[c] } else { a[c] }, "row {row}");
            }
        }
    }
    // A and B are different samples.
    assert_ne!(s.design.points[1..n], s.design.points[n + 1..2 * n]);
    assert_eq!(Block::AB(1).to_string(), "AB1");
    assert!(saltelli(&unit_factors(33), 8).unwrap_err().contains("at most 32"));
    assert!(saltelli(&unit_factors(2), 1).is_err());
}

fn check_morris(m: &MorrisDesign, f: &[Factor], r: usize) {
    let k = f.len();
    let p = m.levels;
    assert_eq!(m.design.len(), r * (k + 1));
    assert_eq!(m.r(), r);
    assert!((m.delta - p as f64 / (2.0 * (p - 1) as f64)).abs() < 1e-15);
    for u in &m.unit {
        for &x in u {
            let g = x * (p - 1) as f64;
            assert!((g - g.round()).abs() < 1e-9 && (0.0..=1.0).contains(&x), "{x} is off the grid");
        }
    }
    for (row, pt) in m.design.points.iter().enumerate() {
        for (x, fac) in pt.iter().zip(f) {
            assert!(fac.contains(*x), "row {row}: {x} outside {fac:?}");
        }
    }
    for t in 0..r {
        let rows = m.trajectory(t);
        let mut moved = vec![false; k];
        for s in rows.start..rows.end - 1 {
            let (a, b) = (&m.unit[s], &m.unit[s + 1]);
            let changed: Vec<usize> = (0..k).filter(|&i| a[i] != b[i]).collect();
            assert_eq!(changed.len(), 1, "trajectory {t}, step {s}: {a:?} → {b:?}");
            let i = changed[0];
            assert_eq!(i, m.order[t][s - rows.start]);
            assert!(((b[i] - a[i]).abs() - m.delta).abs() < 1e-12, "step of {} instead of ±Δ", b[i] - a[i]);
            assert!(!moved[i], "factor {i} moved twice");
            moved[i] = true;
        }
        assert!(moved.iter().all(|&x| x));
    }
}

#[test]
fn morris_moves_one_factor_at_a_time_by_delta() {
    let f = vec![Factor::new("a", -3.0, 3.0).unwrap(), Factor::integer("b", 0.0, 10.0).unwrap(), Factor::new("c", 1.0, 2.0).unwrap()];
    for p in [2, 4, 6, 8] {
        let m = morris(&f, 25, p, &mut Streams::new(p as u64).stream("morris", 0, 0)).unwrap();
        check_morris(&m, &f, 25);
    }
    assert!(morris(&f, 0, 4, &mut Streams::new(0).stream("morris", 0, 0)).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn designs_stay_within_bounds(
        bounds in prop::collection::vec((-1e6f64..1e6, 0.0f64..1e3, any::<bool>()), 1..6),
        n in 1usize..80,
        seed in any::<u64>(),
    ) {
        let f: Vec<Factor> = bounds
            .iter()
            .enumerate()
            .map(|(i, &(lo, w, int))| {
                if int {
                    Factor::integer(format!("f{i}"), lo.round(), (lo + w).round()).unwrap()
                } else {
                    Factor::new(format!("f{i}"), lo, lo + w).unwrap()
                }
            })
            .collect();
        let mut rng = Streams::new(seed).stream("prop", 0, 0);
        let lhs = latin_hypercube(&f, n, &mut rng).unwrap();
        let sob = sobol_points(&f, n, (seed % 1000) as usize).unwrap();
        let sal = saltelli(&f, n.max(2)).unwrap();
        let mor = morris(&f, n.min(10), 4, &mut rng).unwrap();
        prop_assert_eq!(lhs.len(), n);
        prop_assert_eq!(sob.len(), n);
        prop_assert_eq!(sal.design.len(), n.max(2) * (f.len() + 2));
        for d in [&lhs, &sob, &sal.design, &mor.design] {
            for p in &d.points {
                prop_assert_eq!(p.len(), f.len());
                for (x, fac) in p.iter().zip(&f) {
                    prop_assert!(fac.contains(*x), "{} outside {:?}", x, fac);
                }
            }
        }
        check_morris(&mor, &f, n.min(10));
    }

    #[test]
    fn latin_hypercube_hits_each_stratum_once(k in 1usize..6, n in 1usize..200, seed in any::<u64>()) {
        let f: Vec<Factor> = (0..k).map(|i| Factor::new(format!("x{i}"), -2.0 * i as f64, 3.0 + i as f64).unwrap()).collect();
        let d = latin_hypercube(&f, n, &mut Streams::new(seed).stream("lhs", 0, 0)).unwrap();
        for (j, fac) in f.iter().enumerate() {
            let mut hits = vec![0u32; n];
            for p in &d.points {
                let u = (p[j] - fac.lo) / (fac.hi - fac.lo);
                hits[((u * n as f64) as usize).min(n - 1)] += 1;
            }
            prop_assert!(hits.iter().all(|&h| h == 1), "factor {}: {:?}", j, hits);
        }
    }

    #[test]
    fn integer_factors_are_uniform_over_whole_values(lo in -50i32..50, w in 0i32..20) {
        let f = Factor::integer("k", f64::from(lo), f64::from(lo + w)).unwrap();
        let cells = (w + 1) as usize;
        // Midpoints of equal cells map to each whole value once.
        let values: Vec<f64> = (0..cells).map(|c| f.at((c as f64 + 0.5) / cells as f64)).collect();
        let expected: Vec<f64> = (lo..=lo + w).map(f64::from).collect();
        prop_assert_eq!(values, expected);
        prop_assert_eq!(f.at(1.0), f64::from(lo + w));
        prop_assert_eq!(f.at(0.0), f64::from(lo));
    }
}
