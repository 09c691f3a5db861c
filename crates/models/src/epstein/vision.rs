//! What an agent sees: the cells within its vision, scanned as runs of consecutive
//! cells of one row.
//!
//! The grid keeps one byte per cell saying what is on it ([`EMPTY`], [`QUIET`],
//! [`ACTIVE`], [`JAILED`] or [`COP`]). A neighbourhood of radius 7 is 15 row runs, so
//! counting what an agent sees is 15 short, contiguous byte scans: no allocation, no
//! per-cell coordinate arithmetic, and 16 bytes compared at a time (the loops below
//! are written so that the compiler turns them into SSE2 or NEON instructions).
//!
//! On a torus smaller than the neighbourhood (`2r + 1` cells wider than the grid) a
//! cell can be reached by several offsets. As Mesa does, each cell is seen once: the
//! offsets are reduced modulo the grid size and deduplicated once, which is valid for
//! every cell because a torus looks the same from everywhere. The centre is never part
//! of the neighbourhood, whichever offset reaches it.

use perelom_engine::space::{Grid, Neighbourhood};

/// Cell contents, one byte per cell.
pub(crate) const EMPTY: u8 = 0;
pub(crate) const QUIET: u8 = 1;
pub(crate) const ACTIVE: u8 = 2;
pub(crate) const JAILED: u8 = 3;
pub(crate) const COP: u8 = 4;

/// Bytes compared at once.
const LANES: usize = 16;

/// `VALID[n]`: 1 in the first `n` lanes, 0 in the others.
const VALID: [[u8; LANES]; LANES + 1] = {
    let mut t = [[0u8; LANES]; LANES + 1];
    let mut n = 0;
    while n <= LANES {
        let mut j = 0;
        while j < n {
            t[n][j] = 1;
            j += 1;
        }
        n += 1;
    }
    t
};

/// The 16 bytes from `i`, or fewer at the very end of the grid (the rest `0xFF`, which
/// matches no content and is masked off anyway).
#[inline(always)]
fn chunk(kinds: &[u8], i: usize) -> [u8; LANES] {
    if let Some(Ok(c)) = kinds.get(i..i + LANES).map(<[u8; LANES]>::try_from) {
        return c;
    }
    let mut c = [0xFF; LANES];
    let tail = kinds.get(i..).unwrap_or(&[]);
    c[..tail.len()].copy_from_slice(tail);
    c
}

/// Bit `j` set iff byte `j` of the chunk is `what`.
#[inline(always)]
fn matches(c: &[u8; LANES], what: u8) -> u32 {
    let mut m = 0u32;
    for (j, &k) in c.iter().enumerate() {
        m |= u32::from(k == what) << j;
    }
    m
}

#[inline(always)]
fn lane_sum(l: &[u8; LANES]) -> u32 {
    l.iter().map(|&x| u32::from(x)).sum()
}

/// What an agent sees around it (itself excluded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub cops: u32,
    pub active: u32,
    pub empty: u32,
}

/// A run of `len` cells in one row, starting `(dx, dy)` from the centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    dy: i64,
    dx: i64,
    len: i64,
}

/// The vision of one kind of agent on one grid.
#[derive(Clone, Debug)]
pub(crate) struct Vision {
    /// The neighbourhood with its centre, as row runs.
    runs: Vec<Run>,
    /// For cells at least `reach` from every edge: flat start offset and length of each
    /// run, so that a run is the slice `cell + start .. cell + start + len`.
    flat: Vec<(isize, usize)>,
    width: i64,
    height: i64,
    torus: bool,
    reach: i64,
    /// Whether the flat shortcut may be used (not on a torus that wraps the vision onto
    /// itself).
    shortcut: bool,
    /// Cells seen from a cell with a full neighbourhood, centre excluded.
    cells: usize,
    /// The neighbourhood without its centre, one entry per cell, for drawing a cell at
    /// random: offsets `(dx, dy)` and, for interior cells, flat offsets.
    offsets: Vec<(i64, i64)>,
    flat_offsets: Vec<isize>,
}

impl Vision {
    pub fn new(grid: &Grid, shape: Neighbourhood, radius: u32) -> Self {
        let (w, h) = (i64::from(grid.width), i64::from(grid.height));
        let wraps = grid.wraps_onto_itself(radius);
        let mut offsets: Vec<(i64, i64)> = shape.offsets(radius).into_iter().map(|(dx, dy)| (i64::from(dx), i64::from(dy))).collect();
        offsets.push((0, 0));
        if wraps {
            for o in &mut offsets {
                *o = (o.0.rem_euclid(w), o.1.rem_euclid(h));
            }
        }
        offsets.sort_unstable_by_key(|&(dx, dy)| (dy, dx));
        offsets.dedup();
        let cells = offsets.len() - 1;
        let mut runs: Vec<Run> = Vec::new();
        for &(dx, dy) in &offsets {
            match runs.last_mut() {
                Some(r) if r.dy == dy && r.dx + r.len == dx => r.len += 1,
                _ => runs.push(Run { dy, dx, len: 1 }),
            }
        }
        let flat = runs.iter().map(|r| ((r.dy * w + r.dx) as isize, r.len as usize)).collect();
        offsets.retain(|&o| o != (0, 0));
        let flat_offsets = offsets.iter().map(|&(dx, dy)| (dy * w + dx) as isize).collect();
        Vision {
            runs,
            flat,
            width: w,
            height: h,
            torus: grid.torus,
            reach: i64::from(radius),
            shortcut: !wraps,
            cells,
            offsets,
            flat_offsets,
        }
    }

    /// Number of cells in the neighbourhood, centre excluded (fewer near the edges of a
    /// bounded grid).
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// The runs of consecutive cells `start..end` of the flat grid seen from `cell`,
    /// the centre included.
    #[inline(always)]
    pub fn segments(&self, cell: usize) -> Segments<'_> {
        let c = cell as i64;
        let (x, y) = (c % self.width, c / self.width);
        let r = self.reach;
        let interior = self.shortcut && x >= r && x + r < self.width && y >= r && y + r < self.height;
        Segments { vision: self, cell, x, y, next: 0, interior, pending: None }
    }

    /// Cops, actives and empty cells seen from `cell`.
    #[inline]
    pub fn count(&self, kinds: &[u8], cell: usize) -> Counts {
        let mut cops = [0u8; LANES];
        let mut active = [0u8; LANES];
        let mut empty = [0u8; LANES];
        let mut chunks = 0u32;
        let mut out = Counts::default();
        for (s, e) in self.segments(cell) {
            let mut i = s;
            while i < e {
                if chunks == u32::from(u8::MAX) {
                    // Lanes count up to 255: move them to the totals.
                    out.cops += lane_sum(&cops);
                    out.active += lane_sum(&active);
                    out.empty += lane_sum(&empty);
                    (cops, active, empty, chunks) = ([0; LANES], [0; LANES], [0; LANES], 0);
                }
                let c = chunk(kinds, i);
                let valid = &VALID[(e - i).min(LANES)];
                for j in 0..LANES {
                    cops[j] += u8::from(c[j] == COP) & valid[j];
                    active[j] += u8::from(c[j] == ACTIVE) & valid[j];
                    empty[j] += u8::from(c[j] == EMPTY) & valid[j];
                }
                chunks += 1;
                i += LANES;
            }
        }
        out.cops += lane_sum(&cops);
        out.active += lane_sum(&active);
        out.empty += lane_sum(&empty);
        // The runs include the centre: take it out again.
        match kinds[cell] {
            COP => out.cops -= 1,
            ACTIVE => out.active -= 1,
            EMPTY => out.empty -= 1,
            _ => {}
        }
        out
    }

    /// The `n`-th cell (from 0, in scan order) holding `what` seen from `cell`, which
    /// must not itself hold `what`. Each chunk is matched at once into a bit mask, and
    /// only the chunk holding the cell is searched bit by bit.
    #[inline]
    pub fn nth(&self, kinds: &[u8], cell: usize, what: u8, n: u32) -> Option<usize> {
        debug_assert_ne!(kinds[cell], what);
        let mut left = n;
        for (s, e) in self.segments(cell) {
            let mut i = s;
            while i < e {
                let valid = if e - i >= LANES { u32::MAX } else { (1u32 << (e - i)) - 1 };
                let mut m = matches(&chunk(kinds, i), what) & valid;
                let here = m.count_ones();
                if here > left {
                    for _ in 0..left {
                        m &= m - 1;
                    }
                    return Some(i + m.trailing_zeros() as usize);
                }
                left -= here;
                i += LANES;
            }
        }
        None
    }

    /// A cell drawn uniformly from the `count` cells holding `what` seen from `cell`
    /// (as counted by [`Vision::count`]; `cell` itself must not hold `what`).
    ///
    /// When such cells are common, cells of the neighbourhood are drawn uniformly until
    /// one holds `what` (rejection sampling: exactly uniform over those cells, and a
    /// few draws instead of a scan); when they are rare, the `n`-th is looked up with
    /// `n` uniform in `0..count`.
    #[inline]
    pub fn sample(&self, kinds: &[u8], cell: usize, what: u8, count: u32, rng: &mut impl rand::Rng) -> Option<usize> {
        if count == 0 {
            return None;
        }
        let n = self.offsets.len();
        if (count as usize) * 8 < n {
            return self.nth(kinds, cell, what, rng.random_range(0..count));
        }
        let c = cell as i64;
        let (x, y) = (c % self.width, c / self.width);
        let r = self.reach;
        let interior = self.shortcut && x >= r && x + r < self.width && y >= r && y + r < self.height;
        // Each draw hits with probability at least 1/8, so 1000 draws all miss with
        // probability below 1e-57; the bound only guards against a bookkeeping error.
        for _ in 0..1000 {
            let i = rng.random_range(0..n as u32) as usize;
            let target = if interior { Some(cell.wrapping_add_signed(self.flat_offsets[i])) } else { self.wrap(x, y, self.offsets[i]) };
            if let Some(t) = target {
                if kinds[t] == what {
                    return Some(t);
                }
            }
        }
        self.nth(kinds, cell, what, rng.random_range(0..count))
    }

    /// The cell at `(x + dx, y + dy)`, wrapped on a torus, `None` off a bounded grid.
    #[inline]
    fn wrap(&self, x: i64, y: i64, (dx, dy): (i64, i64)) -> Option<usize> {
        let (w, h) = (self.width, self.height);
        let (mut nx, mut ny) = (x + dx, y + dy);
        if self.torus {
            // As for runs: one correction suffices.
            nx += if nx < 0 {
                w
            } else if nx >= w {
                -w
            } else {
                0
            };
            ny += if ny < 0 {
                h
            } else if ny >= h {
                -h
            } else {
                0
            };
        } else if !(0..w).contains(&nx) || !(0..h).contains(&ny) {
            return None;
        }
        Some((ny * w + nx) as usize)
    }
}

/// Iterator over the runs seen from one cell: see [`Vision::segments`].
pub(crate) struct Segments<'a> {
    vision: &'a Vision,
    cell: usize,
    x: i64,
    y: i64,
    next: usize,
    interior: bool,
    /// The second half of a run that wraps around the torus.
    pending: Option<(usize, usize)>,
}

impl Iterator for Segments<'_> {
    type Item = (usize, usize);

    #[inline(always)]
    fn next(&mut self) -> Option<(usize, usize)> {
        if self.interior {
            let &(start, len) = self.vision.flat.get(self.next)?;
            self.next += 1;
            let s = self.cell.wrapping_add_signed(start);
            return Some((s, s + len));
        }
        if let Some(p) = self.pending.take() {
            return Some(p);
        }
        let v = self.vision;
        let (w, h) = (v.width, v.height);
        loop {
            let run = v.runs.get(self.next)?;
            self.next += 1;
            // |dy| < h and -w < x + dx < 2w hold by construction, so one correction
            // wraps a coordinate: no division here.
            let mut ny = self.y + run.dy;
            if !(0..h).contains(&ny) {
                if !v.torus {
                    continue;
                }
                ny += if ny < 0 { h } else { -h };
            }
            let row = ny * w;
            let x0 = self.x + run.dx;
            if v.torus {
                // A run is at most `w` long, so it wraps at most once.
                let x0 = if x0 < 0 {
                    x0 + w
                } else if x0 >= w {
                    x0 - w
                } else {
                    x0
                };
                let end = x0 + run.len;
                if end <= w {
                    return Some(((row + x0) as usize, (row + end) as usize));
                }
                self.pending = Some((row as usize, (row + end - w) as usize));
                return Some(((row + x0) as usize, (row + w) as usize));
            }
            let (a, b) = (x0.max(0), (x0 + run.len).min(w));
            if a < b {
                return Some(((row + a) as usize, (row + b) as usize));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perelom_engine::Streams;

    /// The cells seen from `cell`, by the slow route of the engine's grid.
    fn reference(grid: &Grid, shape: Neighbourhood, r: u32, cell: u32) -> Vec<usize> {
        let mut out = Vec::new();
        grid.neighbours_unique(cell, &shape.offsets(r), &mut out);
        out.into_iter().map(|c| c as usize).collect()
    }

    fn seen(v: &Vision, cell: usize) -> Vec<usize> {
        let mut out: Vec<usize> = v.segments(cell).flat_map(|(s, e)| s..e).filter(|&c| c != cell).collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn runs_cover_exactly_the_neighbourhood() {
        let shapes = [Neighbourhood::VonNeumann, Neighbourhood::Moore, Neighbourhood::Euclidean];
        let grids = [(40, 40, true), (40, 40, false), (17, 9, true), (3, 3, true), (5, 30, true), (1, 1, true), (6, 1, false)];
        for (w, h, torus) in grids {
            let grid = Grid::new(w, h, torus);
            for shape in shapes {
                for r in [1, 2, 7] {
                    let v = Vision::new(&grid, shape, r);
                    for cell in 0..grid.cells() {
                        let want = reference(&grid, shape, r, cell as u32);
                        assert_eq!(seen(&v, cell), want, "{w}x{h} torus={torus} {shape:?} r={r} cell={cell}");
                        // The sampling offsets reach the same cells.
                        let (x, y) = ((cell % w as usize) as i64, (cell / w as usize) as i64);
                        let mut by_offset: Vec<usize> = v.offsets.iter().filter_map(|&o| v.wrap(x, y, o)).collect();
                        by_offset.sort_unstable();
                        by_offset.dedup();
                        assert_eq!(by_offset, want, "{w}x{h} torus={torus} {shape:?} r={r} cell={cell}");
                    }
                }
            }
        }
    }

    #[test]
    fn counts_and_nth_agree_with_a_plain_scan() {
        // A large radius makes runs longer than one chunk.
        for (w, h, shape, r, torus) in [
            (20, 15, Neighbourhood::Euclidean, 4, true),
            (50, 45, Neighbourhood::Moore, 20, true),
            (9, 7, Neighbourhood::VonNeumann, 7, true),
            (12, 10, Neighbourhood::Moore, 3, false),
        ] {
            let grid = Grid::new(w, h, torus);
            let kinds: Vec<u8> = (0..grid.cells()).map(|i| ((i * 7 + i / 3) % 5) as u8).collect();
            let v = Vision::new(&grid, shape, r);
            for cell in (0..grid.cells()).step_by(13) {
                let cells = reference(&grid, shape, r, cell as u32);
                let n = |k: u8| cells.iter().filter(|&&c| kinds[c] == k).count() as u32;
                let c = v.count(&kinds, cell);
                assert_eq!((c.cops, c.active, c.empty), (n(COP), n(ACTIVE), n(EMPTY)));
                for what in [ACTIVE, EMPTY] {
                    if kinds[cell] == what {
                        continue;
                    }
                    let mut found_all: Vec<usize> = Vec::new();
                    for i in 0..n(what) {
                        let found = v.nth(&kinds, cell, what, i);
                        assert!(found.is_some_and(|f| kinds[f] == what && f != cell && cells.contains(&f)));
                        found_all.extend(found);
                    }
                    found_all.sort_unstable();
                    found_all.dedup();
                    assert_eq!(found_all.len() as u32, n(what), "nth gives distinct cells");
                    assert_eq!(v.nth(&kinds, cell, what, n(what)), None);
                }
            }
        }
    }

    #[test]
    fn samples_are_uniform_over_the_matching_cells() {
        let grid = Grid::new(30, 30, false);
        let kinds: Vec<u8> = (0..grid.cells()).map(|i| ((i * 7 + i / 3) % 5) as u8).collect();
        let v = Vision::new(&grid, Neighbourhood::VonNeumann, 4);
        let mut rng = Streams::new(1).stream("t", 0, 0);
        // An interior cell, an edge cell, a corner.
        for cell in [15 * 30 + 15, 30 * 2, 0] {
            for what in [EMPTY, ACTIVE] {
                if kinds[cell] == what {
                    continue;
                }
                let c = v.count(&kinds, cell);
                let count = if what == EMPTY { c.empty } else { c.active };
                let mut hits = std::collections::BTreeMap::new();
                let draws = 2000 * count as usize;
                for _ in 0..draws {
                    let t = v.sample(&kinds, cell, what, count, &mut rng);
                    *hits.entry(t.unwrap_or(usize::MAX)).or_insert(0usize) += 1;
                }
                assert_eq!(hits.len(), count as usize, "every matching cell is drawn, nothing else");
                for (&t, &k) in &hits {
                    assert_eq!(kinds[t], what);
                    assert!((k as f64 - 2000.0).abs() < 250.0, "cell {t}: {k} of {draws}");
                }
            }
        }
        assert_eq!(v.sample(&kinds, 0, EMPTY, 0, &mut rng), None);
    }
}
