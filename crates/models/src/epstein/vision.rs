//! What an agent sees: the cells within its vision, scanned as runs of consecutive
//! cells of one row.
//!
//! The grid keeps one byte per cell saying what is on it ([`EMPTY`], [`QUIET`],
//! [`ACTIVE`], [`JAILED`] or [`COP`]). A neighbourhood of radius 7 is 15 row runs, so
//! counting what an agent sees is 15 short, contiguous byte scans: no allocation, no
//! per-cell coordinate arithmetic for cells away from the edges.
//!
//! On a torus smaller than the neighbourhood (`2r + 1` cells wider than the grid) a
//! cell can be reached by several offsets. As Mesa does, each cell is seen once: the
//! offsets are reduced modulo the grid size and deduplicated once, which is valid for
//! every cell because a torus looks the same from everywhere. The centre is never part
//! of the neighbourhood, whichever offset reaches it.

use perelom_engine::space::{Grid, Neighbourhood};
use std::ops::ControlFlow;

/// Cell contents, one byte per cell.
pub(crate) const EMPTY: u8 = 0;
pub(crate) const QUIET: u8 = 1;
pub(crate) const ACTIVE: u8 = 2;
pub(crate) const JAILED: u8 = 3;
pub(crate) const COP: u8 = 4;

const FIELD: u32 = 21;
const MASK: u64 = (1 << FIELD) - 1;

/// Per cell content, the counts it adds packed in one word: cops in the low field,
/// actives in the middle one, empty cells in the high one. A neighbourhood holds at
/// most 101² cells, far below 2²¹.
const PACK: [u64; 256] = {
    let mut t = [0u64; 256];
    t[COP as usize] = 1;
    t[ACTIVE as usize] = 1 << FIELD;
    t[EMPTY as usize] = 1 << (2 * FIELD);
    t
};

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
}

impl Vision {
    pub fn new(grid: &Grid, shape: Neighbourhood, radius: u32) -> Self {
        let (w, h) = (i64::from(grid.width), i64::from(grid.height));
        let wraps = grid.wraps_onto_itself(radius);
        let mut offsets: Vec<(i64, i64)> = shape
            .offsets(radius)
            .into_iter()
            .map(|(dx, dy)| (i64::from(dx), i64::from(dy)))
            .collect();
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
        let flat = runs
            .iter()
            .map(|r| ((r.dy * w + r.dx) as isize, r.len as usize))
            .collect();
        Vision {
            runs,
            flat,
            width: w,
            height: h,
            torus: grid.torus,
            reach: i64::from(radius),
            shortcut: !wraps,
            cells,
        }
    }

    /// Number of cells in the neighbourhood, centre excluded (fewer near the edges of a
    /// bounded grid).
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// Calls `f(start, end)` for each run of consecutive cells `start..end` of the flat
    /// grid seen from `cell` (the centre included), until `f` breaks.
    #[inline(always)]
    pub fn try_runs<B>(
        &self,
        cell: usize,
        mut f: impl FnMut(usize, usize) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        let (w, h) = (self.width, self.height);
        let c = cell as i64;
        let (x, y) = (c % w, c / w);
        let r = self.reach;
        if self.shortcut && x >= r && x + r < w && y >= r && y + r < h {
            for &(start, len) in &self.flat {
                let s = (cell as isize + start) as usize;
                f(s, s + len)?;
            }
            return ControlFlow::Continue(());
        }
        for run in &self.runs {
            // |dy| < h and 0 <= x + dx < 2w (or > -w) hold by construction, so one
            // correction wraps a coordinate: no division in this loop.
            let mut ny = y + run.dy;
            if !(0..h).contains(&ny) {
                if !self.torus {
                    continue;
                }
                ny += if ny < 0 { h } else { -h };
            }
            let row = ny * w;
            let x0 = x + run.dx;
            if self.torus {
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
                    f((row + x0) as usize, (row + end) as usize)?;
                } else {
                    f((row + x0) as usize, (row + w) as usize)?;
                    f(row as usize, (row + end - w) as usize)?;
                }
            } else {
                let (a, b) = (x0.max(0), (x0 + run.len).min(w));
                if a < b {
                    f((row + a) as usize, (row + b) as usize)?;
                }
            }
        }
        ControlFlow::Continue(())
    }

    /// Cops, actives and empty cells seen from `cell`.
    #[inline]
    pub fn count(&self, kinds: &[u8], cell: usize) -> Counts {
        let mut acc = 0u64;
        let _ = self.try_runs(cell, |s, e| {
            for &k in &kinds[s..e] {
                acc += PACK[k as usize];
            }
            ControlFlow::<()>::Continue(())
        });
        acc -= PACK[kinds[cell] as usize];
        Counts {
            cops: (acc & MASK) as u32,
            active: ((acc >> FIELD) & MASK) as u32,
            empty: (acc >> (2 * FIELD)) as u32,
        }
    }

    /// The `n`-th cell (from 0, in scan order) holding `what` seen from `cell`, which
    /// must not itself hold `what`. Runs are first counted without branches, so only
    /// the run holding the cell is scanned byte by byte.
    #[inline]
    pub fn nth(&self, kinds: &[u8], cell: usize, what: u8, n: u32) -> Option<usize> {
        debug_assert_ne!(kinds[cell], what);
        let mut left = n as usize;
        let found = self.try_runs(cell, |s, e| {
            let run = &kinds[s..e];
            let here = run.iter().filter(|&&k| k == what).count();
            if here <= left {
                left -= here;
                return ControlFlow::Continue(());
            }
            match run.iter().enumerate().filter(|(_, &k)| k == what).nth(left) {
                Some((i, _)) => ControlFlow::Break(s + i),
                None => ControlFlow::Continue(()),
            }
        });
        match found {
            ControlFlow::Break(c) => Some(c),
            ControlFlow::Continue(()) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cells seen from `cell`, by the slow route of the engine's grid.
    fn reference(grid: &Grid, shape: Neighbourhood, r: u32, cell: u32) -> Vec<usize> {
        let mut out = Vec::new();
        grid.neighbours_unique(cell, &shape.offsets(r), &mut out);
        out.into_iter().map(|c| c as usize).collect()
    }

    fn seen(v: &Vision, cell: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let _ = v.try_runs(cell, |s, e| {
            out.extend((s..e).filter(|&c| c != cell));
            ControlFlow::<()>::Continue(())
        });
        out.sort_unstable();
        out
    }

    #[test]
    fn runs_cover_exactly_the_neighbourhood() {
        let shapes = [
            Neighbourhood::VonNeumann,
            Neighbourhood::Moore,
            Neighbourhood::Euclidean,
        ];
        for (w, h, torus) in [
            (40, 40, true),
            (40, 40, false),
            (17, 9, true),
            (3, 3, true),
            (5, 30, true),
            (1, 1, true),
            (6, 1, false),
        ] {
            let grid = Grid::new(w, h, torus);
            for shape in shapes {
                for r in [1, 2, 7] {
                    let v = Vision::new(&grid, shape, r);
                    for cell in 0..grid.cells() {
                        let got = seen(&v, cell);
                        assert_eq!(
                            got,
                            reference(&grid, shape, r, cell as u32),
                            "{w}x{h} torus={torus} {shape:?} r={r} cell={cell}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn counts_and_nth_agree_with_a_plain_scan() {
        let grid = Grid::new(20, 15, true);
        let kinds: Vec<u8> = (0..grid.cells())
            .map(|i| ((i * 7 + i / 3) % 5) as u8)
            .collect();
        let v = Vision::new(&grid, Neighbourhood::Euclidean, 4);
        for cell in 0..grid.cells() {
            let cells = reference(&grid, Neighbourhood::Euclidean, 4, cell as u32);
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
                    assert!(
                        found.is_some_and(|f| kinds[f] == what && f != cell && cells.contains(&f))
                    );
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
