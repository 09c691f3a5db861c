//! Sensitivity indices on the Ishigami function and on linear models with known answers.

use std::f64::consts::PI;

use perelom_analysis::design::{morris, saltelli, Factor};
use perelom_analysis::sensitivity::{morris_indices, sobol_indices, sobol_indices_with, SobolOptions};
use perelom_engine::Streams;

/// Ishigami & Homma (1990) with a = 7, b = 0.1.
fn ishigami(x: &[f64]) -> f64 {
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

fn ishigami_factors() -> Vec<Factor> {
    (1..=3).map(|i| Factor::new(format!("x{i}"), -PI, PI).unwrap()).collect()
}

/// Analytical indices (Sobol' & Levitan 1999; Saltelli et al. 2008, §4.10).
fn ishigami_truth() -> ([f64; 3], [f64; 3]) {
    let (a, b) = (7.0f64, 0.1f64);
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
}

#[test]
fn ishigami_truth_matches_published_values() {
    let (s1, st) = ishigami_truth();
    for (got, want) in s1.iter().chain(&st).zip([0.3139, 0.4424, 0.0, 0.5576, 0.4424, 0.2437]) {
        assert!((got - want).abs() < 1e-4, "{got} vs {want}");
    }
}

#[test]
fn sobol_indices_of_ishigami() {
    let n = 1 << 13;
    let d = saltelli(&ishigami_factors(), n).unwrap();
    let y: Vec<f64> = d.design.points.iter().map(|p| ishigami(p)).collect();
    let s = sobol_indices(&d, &y).unwrap();
    let (s1, st) = ishigami_truth();
    for (i, idx) in s.iter().enumerate() {
        assert_eq!(idx.name, format!("x{}", i + 1));
        assert!((idx.first - s1[i]).abs() < 0.02, "S1 of {}: {} vs {}", idx.name, idx.first, s1[i]);
        assert!((idx.total - st[i]).abs() < 0.02, "ST of {}: {} vs {}", idx.name, idx.total, st[i]);
        // Intervals bracket the estimate and the truth, and are informative.
        let (lo, hi) = idx.first_ci;
        assert!(lo <= idx.first && idx.first <= hi && lo <= s1[i] && s1[i] <= hi, "{:?}", idx);
        assert!(hi - lo < 0.15, "{:?}", idx);
        let (lo, hi) = idx.total_ci;
        assert!(lo <= idx.total && idx.total <= hi && lo <= st[i] && st[i] <= hi, "{:?}", idx);
        assert!(hi - lo < 0.15, "{:?}", idx);
    }
}

#[test]
fn sobol_bootstrap_is_reproducible_and_seeded() {
    let d = saltelli(&ishigami_factors(), 256).unwrap();
    let y: Vec<f64> = d.design.points.iter().map(|p| ishigami(p)).collect();
    let opts = SobolOptions { resamples: 200, level: 0.9, seed: 4 };
    let a = sobol_indices_with(&d, &y, &opts).unwrap();
    let b = sobol_indices_with(&d, &y, &opts).unwrap();
    assert_eq!(a, b);
    let c = sobol_indices_with(&d, &y, &SobolOptions { seed: 5, ..opts.clone() }).unwrap();
    assert_eq!(a[0].first, c[0].first);
    assert_ne!(a[0].first_ci, c[0].first_ci);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    assert_eq!(pool.install(|| sobol_indices_with(&d, &y, &opts).unwrap()), a);
}

#[test]
fn sobol_indices_of_an_additive_model() {
    // y = 3 x1 + x2 on [0, 1]²: S1 = ST = (9/10, 1/10) exactly; x3 is inert.
    let f: Vec<Factor> = (1..=3).map(|i| Factor::new(format!("x{i}"), 0.0, 1.0).unwrap()).collect();
    let d = saltelli(&f, 1 << 12).unwrap();
    let y: Vec<f64> = d.design.points.iter().map(|p| 3.0 * p[0] + p[1]).collect();
    let s = sobol_indices(&d, &y).unwrap();
    for (idx, want) in s.iter().zip([0.9, 0.1, 0.0]) {
        assert!((idx.first - want).abs() < 0.01 && (idx.total - want).abs() < 0.01, "{idx:?}");
    }
    assert_eq!(s[2].total, 0.0);
}

#[test]
fn morris_on_ishigami() {
    // p = 4 levels: the grid is {−π, −π/3, π/3, π} and Δ = 2/3. Enumerating the grid
    // gives the exact expectations: |EE₂| = 7 · (3/4) / (2/3) = 7.875 for every step;
    // EE₁ = (√3/2)(1 + 0.1 x₃⁴)/(2/3) with x₃⁴ ∈ {π⁴, (π/3)⁴} equally often, so
    // μ*₁ ≈ 7.70 and σ₁ ≈ 6.25; EE₃ is 0 (sin x₁ = 0) half the time and ±12.5 otherwise,
    // so μ*₃ ≈ 6.25 and σ₃ ≈ 8.84. Hence σ₃ > σ₂ > σ₁ and x₃ matters despite S1₃ = 0.
    let f = ishigami_factors();
    let r = 1000;
    let d = morris(&f, r, 4, &mut Streams::new(2024).stream("morris", 0, 0)).unwrap();
    let y: Vec<f64> = d.design.points.iter().map(|p| ishigami(p)).collect();
    let m = morris_indices(&d, &y).unwrap();
    let (x1, x2, x3) = (&m[0], &m[1], &m[2]);
    assert!((x2.mu_star - 7.875).abs() < 1e-9, "{x2:?}");
    let s3 = 3f64.sqrt() / 2.0;
    let ee1 = [s3 * (1.0 + 0.1 * PI.powi(4)) * 1.5, s3 * (1.0 + 0.1 * (PI / 3.0).powi(4)) * 1.5];
    // μ* is a mean of r effects with sd ≈ 6.25 (both for x1 and x3): allow 4 standard errors.
    let se = 6.25 / (r as f64).sqrt();
    assert!((x1.mu_star - 0.5 * (ee1[0] + ee1[1])).abs() < 4.0 * se, "{x1:?}");
    assert!((x1.mu - x1.mu_star).abs() < 1e-9, "every EE₁ is positive: {x1:?}");
    let ee3 = s3 * 0.1 * (PI.powi(4) - (PI / 3.0).powi(4)) * 1.5;
    assert!(x3.mu_star > 3.0 && (x3.mu_star - 0.5 * ee3).abs() < 4.0 * se, "{x3:?}");
    assert!(x3.sigma > x2.sigma && x2.sigma > x1.sigma, "{m:?}");
    // Standard error of σ₃ ≈ 0.14 for r = 1000.
    assert!((x3.sigma - (0.5f64).sqrt() * ee3).abs() < 0.6, "{x3:?}");
}

#[test]
fn morris_of_a_linear_model_is_exact() {
    let f = vec![Factor::new("a", 0.0, 2.0).unwrap(), Factor::new("b", -1.0, 1.0).unwrap(), Factor::integer("c", 0.0, 5.0).unwrap()];
    let d = morris(&f, 12, 6, &mut Streams::new(1).stream("morris", 0, 0)).unwrap();
    // Per unit of the normalised factor: a spans 2, so EE_a = 2 · 1.5 = 3; EE_b = −2 · 2 = −4.
    let y: Vec<f64> = d.design.points.iter().map(|p| 1.5 * p[0] - 2.0 * p[1]).collect();
    let m = morris_indices(&d, &y).unwrap();
    assert!((m[0].mu - 3.0).abs() < 1e-9 && (m[0].mu_star - 3.0).abs() < 1e-9 && m[0].sigma < 1e-9, "{:?}", m[0]);
    assert!((m[1].mu + 4.0).abs() < 1e-9 && (m[1].mu_star - 4.0).abs() < 1e-9, "{:?}", m[1]);
    assert_eq!((m[2].mu, m[2].mu_star, m[2].sigma), (0.0, 0.0, 0.0));
    assert!(morris_indices(&d, &y[1..]).unwrap_err().contains("one output per design row"));
}
