//! What an agent sees: the cells within its vision, scanned as runs of consecutive
//! cells of one row.
//!
//! The grid keeps one byte per cell saying what is on it ([`EMPTY`], [`QUIET`],
//! [`ACTIVE`], [`JAILED`] or [`COP`]). A neighbourhood of radius 7 is 15 row runs, so
//! counting what an agent sees is 15 short, contiguous byte scans: no allocation, no
//! per-cell coordinate arithmetic, and 16 bytes compared at a time (the loops below
//! are written so that the compiler turns them into SSE2 or NEON instructions).
//!
//! # The padded board
//!
//! Besides the plain grid, [`Kinds`] keeps a padded copy of it: the grid with a frame
//! `pad` cells wide all round, holding wrapped copies of the opposite edges on a torus
//! (each cell is stored up to four times, which a write keeps in step) and [`BORDER`]
//! off a bounded grid, which matches no content. Seen on the padded board, every cell
//! is an interior cell: its neighbourhood is the same fixed list of 16-byte chunks at
//! fixed offsets, scanned without any wrapping or clipping. (At Mesa's 40 × 40 torus
//! with vision 7, 58 % of the cells are within 7 of an edge.) The scan order is the
//! one of the plain grid, offsets in `(dy, dx)` order, so the `n`-th cell found is the
//! same either way.
//!
//! On a torus smaller than the neighbourhood (`2r + 1` cells wider than the grid) a
//! cell can be reached by several offsets. As Mesa does, each cell is seen once: the
//! offsets are reduced modulo the grid size and deduplicated once, which is valid for
//! every cell because a torus looks the same from everywhere. The centre is never part
//! of the neighbourhood, whichever offset reaches it. There the padded board is not
//! used (a frame would need copies of copies), and runs are wrapped cell by cell.

use perelom_engine::space::{Grid, Neighbourhood};

/// Cell contents, one byte per cell.
pub(crate) const EMPTY: u8 = 0;
pub(crate) const QUIET: u8 = 1;
pub(crate) const ACTIVE: u8 = 2;
pub(crate) const JAILED: u8 = 3;
pub(crate) const COP: u8 = 4;
/// The frame of the padded board around a bounded grid: matches no content.
const BORDER: u8 = 0xFF;

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

/// `FILL[n]`: 0 in the first `n` lanes, [`BORDER`] in the others (OR-ed onto a chunk,
/// it makes the lanes past a run match nothing).
const FILL: [[u8; LANES]; LANES + 1] = {
    let mut t = [[BORDER; LANES]; LANES + 1];
    let mut n = 0;
    while n <= LANES {
        let mut j = 0;
        while j < n {
            t[n][j] = 0;
            j += 1;
        }
        n += 1;
    }
    t
};

/// The geometry of the padded board of a grid with a frame `pad` cells wide, or `None`
/// when the grid is a torus too small for one (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    width: usize,
    height: usize,
    pad: usize,
    /// Padded width, `width + 2·pad`.
    pw: usize,
    torus: bool,
}

impl Layout {
    fn new(grid: &Grid, pad: u32) -> Option<Self> {
        if grid.wraps_onto_itself(pad) {
            return None;
        }
        let (width, height, pad) = (grid.width as usize, grid.height as usize, pad as usize);
        let l = Layout { width, height, pad, pw: width + 2 * pad, torus: grid.torus };
        // A vision far wider than a bounded grid would make a board mostly frame.
        let cells = width * height;
        (l.pw.saturating_mul(height + 2 * pad) <= 4 * cells + (1 << 16)).then_some(l)
    }

    /// Padded cells, plus one chunk of slack so that a chunk read never runs off the end.
    fn len(&self) -> usize {
        self.pw * (self.height + 2 * self.pad) + LANES
    }

    /// The padded index of `(x, y)`.
    #[inline(always)]
    fn at(&self, x: usize, y: usize) -> usize {
        (y + self.pad) * self.pw + x + self.pad
    }
}

/// Division of 32-bit numbers by a fixed divisor with two multiplications instead of a
/// division instruction (which takes some 25 cycles, more than the rest of a turn's
/// bookkeeping): Lemire, Kaser and Kurz (2019), "Faster remainder by direct
/// computation", whose `fastdiv` is exact for every 32-bit dividend and divisor ≥ 2.
#[derive(Clone, Copy, Debug)]
struct Divisor {
    /// `⌈2⁶⁴ / d⌉`, or 0 for `d = 1`.
    m: u64,
    d: u32,
}

impl Divisor {
    fn new(d: u32) -> Self {
        assert!(d > 0, "division by zero");
        Divisor { m: if d == 1 { 0 } else { u64::MAX / u64::from(d) + 1 }, d }
    }

    /// `n / d`.
    #[inline(always)]
    fn div(self, n: u32) -> u32 {
        if self.d == 1 {
            return n;
        }
        ((u128::from(self.m) * u128::from(n)) >> 64) as u32
    }
}

/// A cell with its coordinates and padded index (0 without a padded board), worked out
/// once per agent's turn (a division) and then carried along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Spot {
    pub cell: usize,
    x: usize,
    y: usize,
    p: usize,
}

/// What is on each cell: the plain grid, `y · width + x`, and the padded board the
/// visions scan (see the module documentation). Reads go through `Deref` to the plain
/// grid; writes through [`Kinds::set`] or [`Kinds::put`], which keep both in step.
#[derive(Clone, Debug)]
pub(crate) struct Kinds {
    plain: Vec<u8>,
    padded: Vec<u8>,
    width: usize,
    /// Division by the width.
    rows: Divisor,
    layout: Option<Layout>,
}

impl std::ops::Deref for Kinds {
    type Target = [u8];

    #[inline(always)]
    fn deref(&self) -> &[u8] {
        &self.plain
    }
}

impl Kinds {
    /// The grid `plain` with a padded board whose frame is `pad` wide (the largest
    /// vision radius), if the grid is large enough for one.
    pub fn new(grid: &Grid, pad: u32, plain: Vec<u8>) -> Self {
        assert_eq!(plain.len(), grid.cells());
        let layout = Layout::new(grid, pad);
        let mut k = Kinds { plain, padded: Vec::new(), width: grid.width as usize, rows: Divisor::new(grid.width), layout };
        if let Some(l) = layout {
            k.padded = vec![BORDER; l.len()];
            for cell in 0..k.plain.len() {
                k.put(k.spot(cell), k.plain[cell]);
            }
        }
        k
    }

    /// `cell` as a [`Spot`].
    #[inline]
    pub fn spot(&self, cell: usize) -> Spot {
        let y = self.rows.div(cell as u32) as usize;
        let x = cell - y * self.width;
        Spot { cell, x, y, p: self.layout.map_or(0, |l| l.at(x, y)) }
    }

    /// The spot `(x + dx, y + dy)` from `at`, wrapped on a torus, `None` off a bounded
    /// grid; `(dx, dy)` must be an offset of a vision on this board.
    #[inline(always)]
    fn offset(&self, at: Spot, (dx, dy): (i64, i64)) -> Option<Spot> {
        let l = self.layout?;
        let (mut nx, mut ny) = (at.x as i64 + dx, at.y as i64 + dy);
        let (w, h) = (l.width as i64, l.height as i64);
        // |dx|, |dy| ≤ pad ≤ width, height: one correction wraps.
        if l.torus {
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
        let (x, y) = (nx as usize, ny as usize);
        Some(Spot { cell: y * l.width + x, x, y, p: l.at(x, y) })
    }

    /// Puts `what` on `cell`.
    #[inline]
    pub fn set(&mut self, cell: usize, what: u8) {
        if self.layout.is_some() {
            self.put(self.spot(cell), what);
        } else {
            self.plain[cell] = what;
        }
    }

    /// Puts `what` on `at`, and on its wrapped copies on the padded board.
    #[inline]
    pub fn put(&mut self, at: Spot, what: u8) {
        self.plain[at.cell] = what;
        let Some(l) = self.layout else { return };
        self.padded[at.p] = what;
        if !l.torus {
            return;
        }
        // A copy `width` to the right of a cell near the left edge, or to the left of
        // one near the right edge (never both: 2·pad < width); likewise in rows.
        let (x, y) = (at.x, at.y);
        let dx = if x < l.pad {
            l.width as isize
        } else if x + l.pad >= l.width {
            -(l.width as isize)
        } else {
            0
        };
        let dy = if y < l.pad {
            (l.height * l.pw) as isize
        } else if y + l.pad >= l.height {
            -((l.height * l.pw) as isize)
        } else {
            0
        };
        let p = at.p;
        if dx != 0 {
            self.padded[p.wrapping_add_signed(dx)] = what;
        }
        if dy != 0 {
            self.padded[p.wrapping_add_signed(dy)] = what;
            if dx != 0 {
                self.padded[p.wrapping_add_signed(dx + dy)] = what;
            }
        }
    }
}

/// One chunk of a neighbourhood on the padded board: the 16 cells from `off` (relative
/// to the centre), of which the first `len` belong to the neighbourhood, the first at
/// `(dx, dy)` from the centre.
#[derive(Clone, Copy, Debug)]
struct Chunk {
    off: isize,
    fill: [u8; LANES],
    dx: i64,
    dy: i64,
}

/// A vision as seen on the padded board.
#[derive(Clone, Debug)]
struct Padded {
    layout: Layout,
    /// The runs of the neighbourhood (centre included), cut into chunks, in scan order.
    chunks: Vec<Chunk>,
    /// The chunks again, compactly for counting: offset from the start of the window
    /// `centre − before .. centre − before + span` that holds them all, and fill.
    scan: Vec<(u32, [u8; LANES])>,
    before: usize,
    span: usize,
    /// [`Vision::offsets`] as padded offsets.
    offsets: Vec<isize>,
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
    /// The vision on the padded board, when there is one.
    padded: Option<Padded>,
}

impl Vision {
    /// The vision of radius `radius` on `grid`, scanning a padded board with a frame
    /// `pad` wide (at least `radius`; the `pad` given to [`Kinds::new`]).
    pub fn new(grid: &Grid, shape: Neighbourhood, radius: u32, pad: u32) -> Self {
        assert!(radius <= pad, "vision radius {radius} beyond the padding {pad}");
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
        let padded = Layout::new(grid, pad).map(|layout| {
            let pw = layout.pw as i64;
            let mut chunks = Vec::new();
            for r in &runs {
                let mut done = 0;
                while done < r.len {
                    let n = (r.len - done).min(LANES as i64);
                    let dx = r.dx + done;
                    chunks.push(Chunk { off: (r.dy * pw + dx) as isize, fill: FILL[n as usize], dx, dy: r.dy });
                    done += n;
                }
            }
            let offsets = offsets.iter().map(|&(dx, dy)| (dy * pw + dx) as isize).collect();
            let first = chunks.iter().map(|c| c.off).min().unwrap_or(0);
            let last = chunks.iter().map(|c| c.off).max().unwrap_or(0);
            let scan = chunks.iter().map(|c| ((c.off - first) as u32, c.fill)).collect();
            Padded { layout, chunks, scan, before: -first as usize, span: (last - first) as usize + LANES, offsets }
        });
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
            padded,
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

    /// The vision on the padded board of `kinds`, if both have one (of the same shape).
    #[inline(always)]
    fn on_board(&self, kinds: &Kinds) -> Option<&Padded> {
        self.padded.as_ref().filter(|v| kinds.layout == Some(v.layout))
    }

    /// Cops, actives and empty cells seen from `at`.
    #[inline]
    pub fn count(&self, kinds: &Kinds, at: Spot) -> Counts {
        let mut out = match self.on_board(kinds) {
            Some(v) => Self::count_padded(v, &kinds.padded, at.p),
            None => self.count_plain(&kinds.plain, at.cell),
        };
        // The runs include the centre: take it out again.
        match kinds.plain[at.cell] {
            COP => out.cops -= 1,
            ACTIVE => out.active -= 1,
            EMPTY => out.empty -= 1,
            _ => {}
        }
        out
    }

    /// [`Vision::count`] on the padded board from padded index `p`, centre included: a
    /// fixed list of chunks, each one 16-byte read, with the lanes past its run filled
    /// with [`BORDER`].
    #[inline(always)]
    fn count_padded(v: &Padded, board: &[u8], p: usize) -> Counts {
        let mut out = Counts::default();
        let start = p - v.before;
        let window = &board[start..start + v.span];
        // Lanes count up to 255 chunks.
        for group in v.scan.chunks(usize::from(u8::MAX)) {
            let (mut cops, mut active, mut empty) = ([0u8; LANES], [0u8; LANES], [0u8; LANES]);
            for (at, fill) in group {
                let i = *at as usize;
                let Some(Ok(c)) = window.get(i..i + LANES).map(<&[u8; LANES]>::try_from) else { continue };
                for j in 0..LANES {
                    let k = c[j] | fill[j];
                    cops[j] += u8::from(k == COP);
                    active[j] += u8::from(k == ACTIVE);
                    empty[j] += u8::from(k == EMPTY);
                }
            }
            out.cops += lane_sum(&cops);
            out.active += lane_sum(&active);
            out.empty += lane_sum(&empty);
        }
        out
    }

    /// [`Vision::count`] on the plain grid, centre included.
    #[inline]
    fn count_plain(&self, kinds: &[u8], cell: usize) -> Counts {
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
        out
    }

    /// The `n`-th cell (from 0, in scan order) holding `what` seen from `cell`, which
    /// must not itself hold `what`. Each chunk is matched at once into a bit mask, and
    /// only the chunk holding the cell is searched bit by bit.
    #[inline]
    pub fn nth(&self, kinds: &Kinds, at: Spot, what: u8, n: u32) -> Option<Spot> {
        debug_assert_ne!(kinds[at.cell], what);
        let Some(v) = self.on_board(kinds) else { return self.nth_plain(&kinds.plain, at.cell, what, n).map(|c| kinds.spot(c)) };
        let mut left = n;
        for ch in &v.chunks {
            let mut c = chunk(&kinds.padded, at.p.wrapping_add_signed(ch.off));
            for (k, f) in c.iter_mut().zip(&ch.fill) {
                *k |= f;
            }
            let mut m = matches(&c, what);
            let here = m.count_ones();
            if here > left {
                for _ in 0..left {
                    m &= m - 1;
                }
                return kinds.offset(at, (ch.dx + i64::from(m.trailing_zeros()), ch.dy));
            }
            left -= here;
        }
        None
    }

    /// [`Vision::nth`] on the plain grid.
    #[inline]
    fn nth_plain(&self, kinds: &[u8], cell: usize, what: u8, n: u32) -> Option<usize> {
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
    pub fn sample(&self, kinds: &Kinds, at: Spot, what: u8, count: u32, rng: &mut impl rand::Rng) -> Option<Spot> {
        if count == 0 {
            return None;
        }
        let n = self.offsets.len();
        if (count as usize) * 8 < n {
            return self.nth(kinds, at, what, rng.random_range(0..count));
        }
        // Each draw hits with probability at least 1/8, so 1000 draws all miss with
        // probability below 1e-57; the bound only guards against a bookkeeping error.
        if let Some(v) = self.on_board(kinds) {
            for _ in 0..1000 {
                let i = rng.random_range(0..n as u32) as usize;
                if kinds.padded.get(at.p.wrapping_add_signed(v.offsets[i])) == Some(&what) {
                    return kinds.offset(at, self.offsets[i]);
                }
            }
        } else {
            let (x, y, cell) = (at.x as i64, at.y as i64, at.cell);
            let r = self.reach;
            let interior = self.shortcut && x >= r && x + r < self.width && y >= r && y + r < self.height;
            for _ in 0..1000 {
                let i = rng.random_range(0..n as u32) as usize;
                let target = if interior { Some(cell.wrapping_add_signed(self.flat_offsets[i])) } else { self.wrap(x, y, self.offsets[i]) };
                if let Some(t) = target {
                    if kinds.plain[t] == what {
                        return Some(kinds.spot(t));
                    }
                }
            }
        }
        self.nth(kinds, at, what, rng.random_range(0..count))
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
    use rand::Rng;

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
                    let v = Vision::new(&grid, shape, r, r);
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

    /// The same contents without a padded board.
    fn plain_only(kinds: &Kinds) -> Kinds {
        Kinds { plain: kinds.plain.clone(), padded: Vec::new(), width: kinds.width, rows: kinds.rows, layout: None }
    }

    #[test]
    fn counts_and_nth_agree_with_a_plain_scan() {
        // A large radius makes runs longer than one chunk.
        for (w, h, shape, r, pad, torus) in [
            (20, 15, Neighbourhood::Euclidean, 4, 4, true),
            (50, 45, Neighbourhood::Moore, 20, 20, true),
            (9, 7, Neighbourhood::VonNeumann, 7, 7, true),
            (12, 10, Neighbourhood::Moore, 3, 3, false),
            (40, 40, Neighbourhood::VonNeumann, 7, 7, true),
            (40, 40, Neighbourhood::VonNeumann, 7, 7, false),
            (61, 23, Neighbourhood::Euclidean, 3, 11, true),
            (15, 15, Neighbourhood::VonNeumann, 7, 7, true),
            (15, 16, Neighbourhood::Moore, 7, 9, false),
        ] {
            let grid = Grid::new(w, h, torus);
            let kinds = Kinds::new(&grid, pad, (0..grid.cells()).map(|i| ((i * 7 + i / 3) % 5) as u8).collect());
            assert_eq!(kinds.layout.is_some(), !grid.wraps_onto_itself(pad));
            let plain = plain_only(&kinds);
            let v = Vision::new(&grid, shape, r, pad);
            for cell in (0..grid.cells()).step_by(if w * h > 1000 { 7 } else { 1 }) {
                let cells = reference(&grid, shape, r, cell as u32);
                let n = |k: u8| cells.iter().filter(|&&c| kinds[c] == k).count() as u32;
                let (at, plain_at) = (kinds.spot(cell), plain.spot(cell));
                let c = v.count(&kinds, at);
                assert_eq!((c.cops, c.active, c.empty), (n(COP), n(ACTIVE), n(EMPTY)));
                assert_eq!(v.count(&plain, plain_at), c);
                for what in [ACTIVE, EMPTY] {
                    if kinds[cell] == what {
                        continue;
                    }
                    let mut found_all: Vec<usize> = Vec::new();
                    for i in 0..n(what) {
                        let found = v.nth(&kinds, at, what, i).map(|s| s.cell);
                        assert!(found.is_some_and(|f| kinds[f] == what && f != cell && cells.contains(&f)));
                        // The same cell, in the same order, with or without the board.
                        assert_eq!(v.nth(&plain, plain_at, what, i).map(|s| s.cell), found);
                        found_all.extend(found);
                    }
                    found_all.sort_unstable();
                    found_all.dedup();
                    assert_eq!(found_all.len() as u32, n(what), "nth gives distinct cells");
                    assert_eq!(v.nth(&kinds, at, what, n(what)), None);
                    // Sampling draws the same cells with the same random numbers.
                    let count = n(what);
                    let (mut r1, mut r2) = (Streams::new(5).stream("s", cell as u64, 0), Streams::new(5).stream("s", cell as u64, 0));
                    for _ in 0..20 {
                        let (s1, s2) = (v.sample(&kinds, at, what, count, &mut r1), v.sample(&plain, plain_at, what, count, &mut r2));
                        assert_eq!(s1.map(|s| s.cell), s2.map(|s| s.cell));
                        // A spot found on the board is the spot of its cell.
                        assert_eq!(s1, s1.map(|s| kinds.spot(s.cell)));
                    }
                    assert_eq!(r1.random::<u64>(), r2.random::<u64>(), "as many draws");
                }
            }
        }
    }

    #[test]
    fn fast_division_is_exact() {
        let mut rng = Streams::new(3).stream("d", 0, 0);
        let mut divisors: Vec<u32> = (1..=300).chain([640, 1000, 1024, 4095, 65_535, 65_536, 1 << 31, u32::MAX - 1, u32::MAX]).collect();
        divisors.extend((0..300).map(|_| rng.random_range(1..=u32::MAX)));
        for d in divisors {
            let f = Divisor::new(d);
            let mut ns: Vec<u32> = vec![0, 1, d - 1, d, d.saturating_add(1), u32::MAX, u32::MAX - 1, u32::MAX - u32::MAX % d];
            ns.extend((1..50u32).map(|k| k.saturating_mul(d)));
            ns.extend((1..50u32).map(|k| k.saturating_mul(d) - 1));
            ns.extend((0..2000).map(|_| rng.random::<u32>()));
            ns.extend((0..2000).map(|_| rng.random_range(0..1u32 << 24)));
            for n in ns {
                assert_eq!(f.div(n), n / d, "{n} / {d}");
            }
        }
    }

    #[test]
    fn the_padded_board_follows_writes() {
        let mut rng = Streams::new(2).stream("k", 0, 0);
        for (w, h, torus, pad) in [(40, 40, true, 7), (40, 40, false, 7), (15, 31, true, 7), (16, 9, false, 12), (5, 5, true, 0)] {
            let grid = Grid::new(w, h, torus);
            let mut kinds = Kinds::new(&grid, pad, vec![EMPTY; grid.cells()]);
            for _ in 0..5000 {
                kinds.set(rng.random_range(0..grid.cells()), rng.random_range(0..5u8));
            }
            let fresh = Kinds::new(&grid, pad, kinds.plain.clone());
            assert_eq!(kinds.padded, fresh.padded, "{w}x{h} torus={torus} pad={pad}");
            // Every padded cell holds its wrapped cell, or the border.
            let l = kinds.layout.unwrap_or_else(|| panic!("no board"));
            let (pad, ph) = (pad as i64, (h + 2 * pad) as usize);
            for py in 0..ph {
                for px in 0..l.pw {
                    let (x, y) = (px as i64 - pad, py as i64 - pad);
                    let want = grid.offset(0, x as i32, y as i32).map_or(BORDER, |c| kinds[c as usize]);
                    assert_eq!(kinds.padded[py * l.pw + px], want, "{w}x{h} torus={torus} at ({x}, {y})");
                }
            }
        }
    }

    #[test]
    fn samples_are_uniform_over_the_matching_cells() {
        let grid = Grid::new(30, 30, false);
        let kinds = Kinds::new(&grid, 4, (0..grid.cells()).map(|i| ((i * 7 + i / 3) % 5) as u8).collect());
        let v = Vision::new(&grid, Neighbourhood::VonNeumann, 4, 4);
        let mut rng = Streams::new(1).stream("t", 0, 0);
        // An interior cell, an edge cell, a corner.
        for cell in [15 * 30 + 15, 30 * 2, 0] {
            for what in [EMPTY, ACTIVE] {
                if kinds[cell] == what {
                    continue;
                }
                let c = v.count(&kinds, kinds.spot(cell));
                let count = if what == EMPTY { c.empty } else { c.active };
                let mut hits = std::collections::BTreeMap::new();
                let draws = 2000 * count as usize;
                for _ in 0..draws {
                    let t = v.sample(&kinds, kinds.spot(cell), what, count, &mut rng).map(|s| s.cell);
                    *hits.entry(t.unwrap_or(usize::MAX)).or_insert(0usize) += 1;
                }
                assert_eq!(hits.len(), count as usize, "every matching cell is drawn, nothing else");
                for (&t, &k) in &hits {
                    assert_eq!(kinds[t], what);
                    assert!((k as f64 - 2000.0).abs() < 250.0, "cell {t}: {k} of {draws}");
                }
            }
        }
        assert_eq!(v.sample(&kinds, kinds.spot(0), EMPTY, 0, &mut rng), None);
    }
}
