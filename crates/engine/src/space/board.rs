//! A grid of one byte per cell, with neighbourhood scans fast enough for hot loops.
//!
//! A [`Board`] stores what is on each cell of a [`Grid`] as one byte (the model says
//! what the values mean; [`FRAME`] is reserved). A [`Vicinity`] is the neighbourhood
//! of one radius and [`Neighbourhood`] shape on that grid, prepared for scanning: it
//! counts the cells holding given values ([`Vicinity::count`]), finds the `n`-th of
//! them in a fixed order ([`Vicinity::nth`]) and draws one uniformly
//! ([`Vicinity::sample`]), without allocating and without per-cell coordinate
//! arithmetic.
//!
//! A neighbourhood of radius 7 is 15 runs of consecutive cells, one per row, so a count
//! is 15 short, contiguous byte scans, 16 bytes compared at a time (the loops are
//! written so that the compiler turns them into SSE2 or NEON instructions).
//!
//! # The padded board
//!
//! Besides the plain grid (`y · width + x`), a [`Board`] keeps a padded copy of it:
//! the grid with a frame `pad` cells wide all round, holding wrapped copies of the
//! opposite edges on a torus (each cell is stored up to four times, which a write keeps
//! in step) and [`FRAME`] off a bounded grid, which matches no value. Seen on the
//! padded board, every cell is an interior cell: its neighbourhood is the same fixed
//! list of 16-byte chunks at fixed offsets, scanned without any wrapping or clipping.
//! (On a 40 × 40 torus with radius 7, 58 % of the cells are within 7 of an edge.) The
//! scan order is the one of the plain grid, offsets in `(dy, dx)` order, so the `n`-th
//! cell found is the same either way.
//!
//! On a torus smaller than the neighbourhood (`2r + 1` cells wider or taller than the
//! grid) a cell can be reached by several offsets. As Mesa and NetLogo do, each cell is
//! seen once: the offsets are reduced modulo the grid size and deduplicated once, which
//! is valid for every cell because a torus looks the same from everywhere. The centre
//! is never part of the neighbourhood, whichever offset reaches it. There the padded
//! board is not used (a frame would need copies of copies), nor when the frame would
//! dwarf the grid; scans then run on the plain grid, wrapping runs cell by cell with
//! [`wrap`]. The results are the same, draw for draw; only the speed differs.
//!
//! Everything here is tested against the plain route of [`Grid::neighbours_unique`].

use super::grid::{wrap, Grid, Neighbourhood};

/// The value of the frame of the padded board around a bounded grid. Reserved: no cell
/// may hold it, and it matches no value scanned for.
pub const FRAME: u8 = 0xFF;

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

/// `FILL[n]`: 0 in the first `n` lanes, [`FRAME`] in the others (OR-ed onto a chunk,
/// it makes the lanes past a run match nothing).
const FILL: [[u8; LANES]; LANES + 1] = {
    let mut t = [[FRAME; LANES]; LANES + 1];
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

/// The 16 bytes from `i`, or fewer at the very end of the grid (the rest [`FRAME`],
/// which matches nothing and is masked off anyway).
#[inline(always)]
fn chunk(cells: &[u8], i: usize) -> [u8; LANES] {
    if let Some(Ok(c)) = cells.get(i..i + LANES).map(<[u8; LANES]>::try_from) {
        return c;
    }
    let mut c = [FRAME; LANES];
    let tail = cells.get(i..).unwrap_or(&[]);
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

/// The geometry of the padded board of a grid with a frame `pad` cells wide, or `None`
/// when there is none (see the module documentation).
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
        // A frame far wider than a bounded grid would make a board mostly frame.
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
/// division instruction (which takes some 25 cycles, more than the rest of an agent's
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

/// A cell of a [`Board`] with its coordinates and its index on the padded board, worked
/// out once ([`Board::spot`], a multiplication in place of a division) and then carried
/// along through an agent's scans and moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spot {
    /// Cell index `y · width + x` on the plain grid.
    pub cell: usize,
    x: usize,
    y: usize,
    /// Index on the padded board (0 without one).
    p: usize,
}

impl Spot {
    /// The coordinates `(x, y)` of the cell.
    pub fn xy(&self) -> (usize, usize) {
        (self.x, self.y)
    }
}

/// What is on each cell of a grid, one byte a cell: the plain grid, `y · width + x`, and
/// the padded board the scans of a [`Vicinity`] read (see the module documentation).
///
/// Reads go through `Deref` to the plain grid (`board[cell]`, `board.iter()`); writes
/// through [`Board::set`] or [`Board::put`], which keep both copies in step.
#[derive(Clone, Debug)]
pub struct Board {
    plain: Vec<u8>,
    padded: Vec<u8>,
    grid: Grid,
    /// Division by the width.
    rows: Divisor,
    layout: Option<Layout>,
}

impl std::ops::Deref for Board {
    type Target = [u8];

    #[inline(always)]
    fn deref(&self) -> &[u8] {
        &self.plain
    }
}

impl Board {
    /// The board of `grid` holding `cells` (one value per cell, `y · width + x`), with a
    /// padded copy whose frame is `pad` cells wide if the grid is large enough for one.
    /// `pad` must be at least the radius of every [`Vicinity`] that scans the board
    /// through its padding, and is best equal to the largest.
    ///
    /// # Panics
    ///
    /// If `cells` does not have one value per cell of `grid`, if a value is [`FRAME`],
    /// or if the grid has no cells.
    pub fn new(grid: &Grid, pad: u32, cells: Vec<u8>) -> Self {
        assert!(grid.width > 0 && grid.height > 0, "a board needs at least one cell");
        assert_eq!(cells.len(), grid.cells(), "one value per cell of the {}x{} grid", grid.width, grid.height);
        assert!(!cells.contains(&FRAME), "no cell may hold the reserved value FRAME = {FRAME:#x}");
        let layout = Layout::new(grid, pad);
        let mut b = Board { plain: cells, padded: Vec::new(), grid: grid.clone(), rows: Divisor::new(grid.width), layout };
        if let Some(l) = layout {
            b.padded = vec![FRAME; l.len()];
            for cell in 0..b.plain.len() {
                b.put(b.spot(cell), b.plain[cell]);
            }
        }
        b
    }

    /// The grid the board covers.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// Whether the board keeps a padded copy (not on a torus smaller than the padding,
    /// nor when the frame would dwarf the grid). Scans give the same results either
    /// way.
    pub fn is_padded(&self) -> bool {
        self.layout.is_some()
    }

    /// `cell` as a [`Spot`]. `cell` must be on the grid (checked in debug builds).
    #[inline]
    pub fn spot(&self, cell: usize) -> Spot {
        debug_assert!(cell < self.plain.len(), "cell {cell} off the board");
        let y = self.rows.div(cell as u32) as usize;
        let x = cell - y * self.grid.width as usize;
        Spot { cell, x, y, p: self.layout.map_or(0, |l| l.at(x, y)) }
    }

    /// The spot `(x + dx, y + dy)` from `at`, wrapped on a torus, `None` off a bounded
    /// grid.
    #[inline(always)]
    pub fn offset(&self, at: Spot, (dx, dy): (i64, i64)) -> Option<Spot> {
        let (x, y) = self.grid.locate(at.x as i64 + dx, at.y as i64 + dy)?;
        Some(Spot { cell: y * self.grid.width as usize + x, x, y, p: self.layout.map_or(0, |l| l.at(x, y)) })
    }

    /// Puts `what` on `cell`.
    ///
    /// # Panics
    ///
    /// If `cell` is off the grid; in debug builds, if `what` is [`FRAME`].
    #[inline]
    pub fn set(&mut self, cell: usize, what: u8) {
        if self.layout.is_some() {
            self.put(self.spot(cell), what);
        } else {
            debug_assert_ne!(what, FRAME);
            self.plain[cell] = what;
        }
    }

    /// Puts `what` on `at` (a spot of this board), and on its wrapped copies on the
    /// padded board.
    ///
    /// # Panics
    ///
    /// If `at` is off the grid; in debug builds, if `what` is [`FRAME`].
    #[inline]
    pub fn put(&mut self, at: Spot, what: u8) {
        debug_assert_ne!(what, FRAME);
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
/// to the centre), of which the first `len` belong to the neighbourhood (`fill` marks
/// the others), the first at `(dx, dy)` from the centre.
#[derive(Clone, Copy, Debug)]
struct Chunk {
    off: isize,
    fill: [u8; LANES],
    dx: i64,
    dy: i64,
}

/// A vicinity as seen on the padded board.
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
    /// [`Vicinity::offsets`] as padded offsets.
    offsets: Vec<isize>,
}

/// A run of `len` cells in one row, starting `(dx, dy)` from the centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    dy: i64,
    dx: i64,
    len: i64,
}

/// The neighbourhood of one shape and radius on one grid, the centre excluded, prepared
/// for scanning the [`Board`]s of that grid.
///
/// The cells of a neighbourhood are visited in a fixed order, the *scan order*: by
/// offset `(dy, dx)` from the centre, row by row from the top, each row from the left
/// (offsets reduced modulo the grid size first on a torus smaller than the
/// neighbourhood). [`Vicinity::nth`] and [`Vicinity::sample`] are defined by it.
#[derive(Clone, Debug)]
pub struct Vicinity {
    /// The neighbourhood with its centre, as row runs.
    runs: Vec<Run>,
    /// For cells at least `reach` from every edge: flat start offset and length of each
    /// run, so that a run is the slice `cell + start .. cell + start + len`.
    flat: Vec<(isize, usize)>,
    grid: Grid,
    width: i64,
    height: i64,
    reach: i64,
    /// Whether the flat shortcut may be used (not on a torus that wraps the
    /// neighbourhood onto itself).
    shortcut: bool,
    /// Cells seen from a cell with a full neighbourhood, centre excluded.
    cells: usize,
    /// The neighbourhood without its centre, one entry per cell in scan order, for
    /// drawing a cell at random: offsets `(dx, dy)` and, for interior cells, flat
    /// offsets.
    offsets: Vec<(i64, i64)>,
    flat_offsets: Vec<isize>,
    /// The vicinity on the padded board, when there is one.
    padded: Option<Padded>,
}

impl Vicinity {
    /// The neighbourhood of shape `shape` and radius `radius` (in cells) on `grid`,
    /// scanning the padded copy of boards made with frame `pad` (the `pad` given to
    /// [`Board::new`]; boards with another frame are scanned on their plain grid).
    ///
    /// # Panics
    ///
    /// If `radius` exceeds `pad`.
    pub fn new(grid: &Grid, shape: Neighbourhood, radius: u32, pad: u32) -> Self {
        assert!(radius <= pad, "radius {radius} beyond the padding {pad}");
        let (w, h) = (i64::from(grid.width), i64::from(grid.height));
        let wraps = grid.wraps_onto_itself(radius);
        let mut offsets: Vec<(i64, i64)> = shape.offsets(radius).into_iter().map(|(dx, dy)| (i64::from(dx), i64::from(dy))).collect();
        offsets.push((0, 0));
        if wraps {
            for o in &mut offsets {
                *o = (wrap(o.0, w), wrap(o.1, h));
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
        Vicinity {
            runs,
            flat,
            grid: grid.clone(),
            width: w,
            height: h,
            reach: i64::from(radius),
            shortcut: !wraps,
            cells,
            offsets,
            flat_offsets,
            padded,
        }
    }

    /// Number of cells in the neighbourhood of a cell away from the edges, centre
    /// excluded (fewer near the edges of a bounded grid).
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// The runs of consecutive cells `start..end` of the plain grid seen from `cell`, the
    /// centre included, in scan order (a run that wraps around a torus comes as two).
    #[inline(always)]
    pub fn segments(&self, cell: usize) -> Segments<'_> {
        let c = cell as i64;
        let (x, y) = (c % self.width, c / self.width);
        let r = self.reach;
        let interior = self.shortcut && x >= r && x + r < self.width && y >= r && y + r < self.height;
        Segments { vicinity: self, cell, x, y, next: 0, interior, pending: None }
    }

    /// This vicinity on the padded board of `board`, if both have one, of the same shape.
    #[inline(always)]
    fn on_board(&self, board: &Board) -> Option<&Padded> {
        self.padded.as_ref().filter(|v| board.layout == Some(v.layout))
    }

    /// How many cells of the neighbourhood of `at` (centre excluded) hold each of
    /// `values`: `count(board, at, [a, b])[i]` cells hold `values[i]`. No value may be
    /// [`FRAME`] (checked in debug builds). Up to three values cost one scan.
    #[inline(always)]
    pub fn count<const N: usize>(&self, board: &Board, at: Spot, values: [u8; N]) -> [u32; N] {
        debug_assert!(!values.contains(&FRAME));
        let mut out = [0u32; N];
        // Three values a scan: three rows of lane counters, the chunk and the values fit
        // in vector registers together.
        let mut g = 0;
        while g < N {
            // A group short of three repeats its first value.
            let value = |i: usize| values[if g + i < N { g + i } else { g }];
            let three = [value(0), value(1), value(2)];
            let counts = match self.on_board(board) {
                Some(v) => Self::count_padded(v, &board.padded, at.p, three),
                None => self.count_plain(&board.plain, at.cell, three),
            };
            for (i, &n) in counts.iter().enumerate().take(N - g) {
                out[g + i] = n;
            }
            g += 3;
        }
        // The runs include the centre: take it out again.
        let centre = board.plain[at.cell];
        for (o, &v) in out.iter_mut().zip(&values) {
            if v == centre {
                *o -= 1;
            }
        }
        out
    }

    /// The counts of three values on the padded board from padded index `p`, centre
    /// included: a fixed list of chunks, each one 16-byte read, with the lanes past its
    /// run filled with [`FRAME`].
    #[inline(always)]
    fn count_padded(v: &Padded, board: &[u8], p: usize, [a, b, c]: [u8; 3]) -> [u32; 3] {
        let mut out = [0u32; 3];
        let start = p - v.before;
        let window = &board[start..start + v.span];
        // Lanes count up to 255 chunks.
        for group in v.scan.chunks(usize::from(u8::MAX)) {
            let (mut la, mut lb, mut lc) = ([0u8; LANES], [0u8; LANES], [0u8; LANES]);
            for (at, fill) in group {
                let i = *at as usize;
                let Some(Ok(chunk)) = window.get(i..i + LANES).map(<&[u8; LANES]>::try_from) else { continue };
                for j in 0..LANES {
                    let k = chunk[j] | fill[j];
                    la[j] += u8::from(k == a);
                    lb[j] += u8::from(k == b);
                    lc[j] += u8::from(k == c);
                }
            }
            out[0] += lane_sum(&la);
            out[1] += lane_sum(&lb);
            out[2] += lane_sum(&lc);
        }
        out
    }

    /// The counts of three values on the plain grid, centre included.
    #[inline]
    fn count_plain(&self, cells: &[u8], cell: usize, [a, b, c]: [u8; 3]) -> [u32; 3] {
        let (mut la, mut lb, mut lc) = ([0u8; LANES], [0u8; LANES], [0u8; LANES]);
        let mut chunks = 0u32;
        let mut out = [0u32; 3];
        for (s, e) in self.segments(cell) {
            let mut i = s;
            while i < e {
                if chunks == u32::from(u8::MAX) {
                    // Lanes count up to 255: move them to the totals.
                    out[0] += lane_sum(&la);
                    out[1] += lane_sum(&lb);
                    out[2] += lane_sum(&lc);
                    (la, lb, lc, chunks) = ([0; LANES], [0; LANES], [0; LANES], 0);
                }
                let k = chunk(cells, i);
                let valid = &VALID[(e - i).min(LANES)];
                for j in 0..LANES {
                    la[j] += u8::from(k[j] == a) & valid[j];
                    lb[j] += u8::from(k[j] == b) & valid[j];
                    lc[j] += u8::from(k[j] == c) & valid[j];
                }
                chunks += 1;
                i += LANES;
            }
        }
        out[0] += lane_sum(&la);
        out[1] += lane_sum(&lb);
        out[2] += lane_sum(&lc);
        out
    }

    /// The `n`-th cell (from 0, in scan order) of the neighbourhood of `at` holding
    /// `what`, or `None` if there are `n` or fewer. The centre must not itself hold
    /// `what` (checked in debug builds). Each chunk is matched at once into a bit mask,
    /// and only the chunk holding the cell is searched bit by bit.
    #[inline]
    pub fn nth(&self, board: &Board, at: Spot, what: u8, n: u32) -> Option<Spot> {
        debug_assert_ne!(board[at.cell], what);
        let Some(v) = self.on_board(board) else { return self.nth_plain(&board.plain, at.cell, what, n).map(|c| board.spot(c)) };
        let mut left = n;
        for ch in &v.chunks {
            let mut c = chunk(&board.padded, at.p.wrapping_add_signed(ch.off));
            for (k, f) in c.iter_mut().zip(&ch.fill) {
                *k |= f;
            }
            let mut m = matches(&c, what);
            let here = m.count_ones();
            if here > left {
                for _ in 0..left {
                    m &= m - 1;
                }
                return board.offset(at, (ch.dx + i64::from(m.trailing_zeros()), ch.dy));
            }
            left -= here;
        }
        None
    }

    /// [`Vicinity::nth`] on the plain grid.
    #[inline]
    fn nth_plain(&self, cells: &[u8], cell: usize, what: u8, n: u32) -> Option<usize> {
        let mut left = n;
        for (s, e) in self.segments(cell) {
            let mut i = s;
            while i < e {
                let valid = if e - i >= LANES { u32::MAX } else { (1u32 << (e - i)) - 1 };
                let mut m = matches(&chunk(cells, i), what) & valid;
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

    /// A cell drawn uniformly from the `count` cells of the neighbourhood of `at` that
    /// hold `what`, `count` as given by [`Vicinity::count`]; `None` if `count` is 0. The
    /// centre must not itself hold `what`.
    ///
    /// When such cells are common (at least one in eight), cells of the neighbourhood
    /// are drawn uniformly, `rng.random_range(0..cells)`, until one holds `what`
    /// (rejection sampling: exactly uniform over those cells, and a few draws instead
    /// of a scan); when they are rare, the `n`-th in scan order is taken, with `n =
    /// rng.random_range(0..count)`. These draws are part of the contract: results are
    /// reproducible from the random stream.
    #[inline]
    pub fn sample(&self, board: &Board, at: Spot, what: u8, count: u32, rng: &mut impl rand::Rng) -> Option<Spot> {
        if count == 0 {
            return None;
        }
        let n = self.offsets.len();
        if (count as usize) * 8 < n {
            return self.nth(board, at, what, rng.random_range(0..count));
        }
        // Each draw hits with probability at least 1/8, so 1000 draws all miss with
        // probability below 1e-57; the bound only guards against a wrong `count`.
        if let Some(v) = self.on_board(board) {
            for _ in 0..1000 {
                let i = rng.random_range(0..n as u32) as usize;
                if board.padded.get(at.p.wrapping_add_signed(v.offsets[i])) == Some(&what) {
                    return board.offset(at, self.offsets[i]);
                }
            }
        } else {
            let (x, y, cell) = (at.x as i64, at.y as i64, at.cell);
            let r = self.reach;
            let interior = self.shortcut && x >= r && x + r < self.width && y >= r && y + r < self.height;
            for _ in 0..1000 {
                let i = rng.random_range(0..n as u32) as usize;
                if interior {
                    let t = cell.wrapping_add_signed(self.flat_offsets[i]);
                    if board.plain[t] == what {
                        return Some(board.spot(t));
                    }
                } else if let Some(t) = board.offset(at, self.offsets[i]) {
                    if board.plain[t.cell] == what {
                        return Some(t);
                    }
                }
            }
        }
        self.nth(board, at, what, rng.random_range(0..count))
    }
}

/// Iterator over the runs of cells seen from one cell: see [`Vicinity::segments`].
pub struct Segments<'a> {
    vicinity: &'a Vicinity,
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
            let &(start, len) = self.vicinity.flat.get(self.next)?;
            self.next += 1;
            let s = self.cell.wrapping_add_signed(start);
            return Some((s, s + len));
        }
        if let Some(p) = self.pending.take() {
            return Some(p);
        }
        let v = self.vicinity;
        let (w, h, torus) = (v.width, v.height, v.grid.torus);
        loop {
            let run = v.runs.get(self.next)?;
            self.next += 1;
            let ny = self.y + run.dy;
            let ny = if torus {
                wrap(ny, h)
            } else if (0..h).contains(&ny) {
                ny
            } else {
                continue;
            };
            let row = ny * w;
            let x0 = self.x + run.dx;
            if torus {
                // A run is at most `w` long, so it wraps at most once.
                let x0 = wrap(x0, w);
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
    use crate::Streams;
    use rand::Rng;

    // Values for the tests; any but FRAME would do.
    const A: u8 = 2;
    const B: u8 = 4;
    const Z: u8 = 0;

    /// The cells seen from `cell`, by the plain route of the grid.
    fn reference(grid: &Grid, shape: Neighbourhood, r: u32, cell: u32) -> Vec<usize> {
        let mut out = Vec::new();
        grid.neighbours_unique(cell, &shape.offsets(r), &mut out);
        out.into_iter().map(|c| c as usize).collect()
    }

    fn seen(v: &Vicinity, cell: usize) -> Vec<usize> {
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
                    let v = Vicinity::new(&grid, shape, r, r);
                    for cell in 0..grid.cells() {
                        let want = reference(&grid, shape, r, cell as u32);
                        assert_eq!(seen(&v, cell), want, "{w}x{h} torus={torus} {shape:?} r={r} cell={cell}");
                        // The sampling offsets reach the same cells.
                        let (x, y) = ((cell % w as usize) as i64, (cell / w as usize) as i64);
                        let mut by_offset: Vec<usize> =
                            v.offsets.iter().filter_map(|&(dx, dy)| grid.locate(x + dx, y + dy)).map(|(x, y)| y * w as usize + x).collect();
                        by_offset.sort_unstable();
                        by_offset.dedup();
                        assert_eq!(by_offset, want, "{w}x{h} torus={torus} {shape:?} r={r} cell={cell}");
                    }
                }
            }
        }
    }

    /// The same contents without a padded board.
    fn plain_only(board: &Board) -> Board {
        Board { plain: board.plain.clone(), padded: Vec::new(), grid: board.grid.clone(), rows: board.rows, layout: None }
    }

    /// The scan order, by the plain route: the offsets of the shape, reduced modulo the
    /// grid on a torus smaller than the neighbourhood, in `(dy, dx)` order, each cell
    /// once, the centre left out.
    fn scan_order(grid: &Grid, shape: Neighbourhood, r: u32, cell: u32) -> Vec<usize> {
        let mut offsets: Vec<(i32, i32)> = shape.offsets(r);
        if grid.wraps_onto_itself(r) {
            let (w, h) = (grid.width as i32, grid.height as i32);
            offsets = offsets.into_iter().map(|(dx, dy)| (dx.rem_euclid(w), dy.rem_euclid(h))).filter(|&o| o != (0, 0)).collect();
        }
        offsets.sort_unstable_by_key(|&(dx, dy)| (dy, dx));
        offsets.dedup();
        offsets.into_iter().filter_map(|(dx, dy)| grid.offset(cell, dx, dy)).map(|c| c as usize).collect()
    }

    /// [`Vicinity::sample`] by the plain route, with the same draws.
    fn sample_by_grid(grid: &Grid, shape: Neighbourhood, r: u32, cells: &[u8], cell: usize, what: u8, rng: &mut impl Rng) -> Option<usize> {
        let order = scan_order(grid, shape, r, cell as u32);
        let matching: Vec<usize> = order.iter().copied().filter(|&c| cells[c] == what).collect();
        let count = matching.len() as u32;
        if count == 0 {
            return None;
        }
        // Every offset of the neighbourhood (on a bounded grid, including those off it).
        let mut offsets: Vec<(i32, i32)> = shape.offsets(r);
        if grid.wraps_onto_itself(r) {
            let (w, h) = (grid.width as i32, grid.height as i32);
            offsets = offsets.into_iter().map(|(dx, dy)| (dx.rem_euclid(w), dy.rem_euclid(h))).filter(|&o| o != (0, 0)).collect();
        }
        offsets.sort_unstable_by_key(|&(dx, dy)| (dy, dx));
        offsets.dedup();
        let n = offsets.len();
        if (count as usize) * 8 < n {
            return Some(matching[rng.random_range(0..count) as usize]);
        }
        for _ in 0..1000 {
            let (dx, dy) = offsets[rng.random_range(0..n as u32) as usize];
            if let Some(t) = grid.offset(cell as u32, dx, dy) {
                if cells[t as usize] == what {
                    return Some(t as usize);
                }
            }
        }
        Some(matching[rng.random_range(0..count) as usize])
    }

    const CASES: [(u32, u32, Neighbourhood, u32, u32, bool); 11] = [
        (20, 15, Neighbourhood::Euclidean, 4, 4, true),
        (50, 45, Neighbourhood::Moore, 20, 20, true),
        (9, 7, Neighbourhood::VonNeumann, 7, 7, true),
        (12, 10, Neighbourhood::Moore, 3, 3, false),
        (40, 40, Neighbourhood::VonNeumann, 7, 7, true),
        (40, 40, Neighbourhood::VonNeumann, 7, 7, false),
        (61, 23, Neighbourhood::Euclidean, 3, 11, true),
        (15, 15, Neighbourhood::VonNeumann, 7, 7, true),
        (15, 16, Neighbourhood::Moore, 7, 9, false),
        (3, 3, Neighbourhood::Euclidean, 2, 2, true),
        (30, 20, Neighbourhood::Moore, 50, 50, false),
    ];

    #[test]
    fn counts_and_nth_agree_with_a_plain_scan() {
        // A large radius makes runs longer than one chunk.
        for (w, h, shape, r, pad, torus) in CASES {
            let grid = Grid::new(w, h, torus);
            let board = Board::new(&grid, pad, (0..grid.cells()).map(|i| ((i * 7 + i / 3) % 5) as u8).collect());
            assert_eq!(board.is_padded(), !grid.wraps_onto_itself(pad));
            let plain = plain_only(&board);
            let v = Vicinity::new(&grid, shape, r, pad);
            for cell in (0..grid.cells()).step_by(if w * h > 500 { 7 } else { 1 }) {
                let cells = reference(&grid, shape, r, cell as u32);
                let n = |k: u8| cells.iter().filter(|&&c| board[c] == k).count() as u32;
                let (at, plain_at) = (board.spot(cell), plain.spot(cell));
                let c = v.count(&board, at, [B, A, Z]);
                assert_eq!(c, [n(B), n(A), n(Z)]);
                assert_eq!(v.count(&plain, plain_at, [B, A, Z]), c);
                assert_eq!(v.count(&board, at, [A]), [n(A)]);
                let order = scan_order(&grid, shape, r, cell as u32);
                for what in [A, Z] {
                    if board[cell] == what {
                        continue;
                    }
                    let want: Vec<usize> = order.iter().copied().filter(|&c| board[c] == what).collect();
                    for (i, &expected) in want.iter().enumerate() {
                        let found = v.nth(&board, at, what, i as u32);
                        // The cell of the plain route's scan order, with or without the board.
                        assert_eq!(found.map(|s| s.cell), Some(expected), "{w}x{h} {shape:?} r={r} cell={cell} n={i}");
                        assert_eq!(v.nth(&plain, plain_at, what, i as u32).map(|s| s.cell), Some(expected));
                        // A spot found on the board is the spot of its cell.
                        assert_eq!(found, Some(board.spot(expected)));
                    }
                    assert_eq!(v.nth(&board, at, what, want.len() as u32), None);
                }
            }
        }
    }

    #[test]
    fn sampling_matches_the_plain_route_draw_for_draw() {
        for (w, h, shape, r, pad, torus) in CASES {
            let grid = Grid::new(w, h, torus);
            // Sparse and dense values, so that both ways of drawing are taken.
            let board =
                Board::new(&grid, pad, (0..grid.cells()).map(|i| if i % 11 == 0 { A } else { ((i * 7 + i / 3) % 3) as u8 }).collect());
            let plain = plain_only(&board);
            let v = Vicinity::new(&grid, shape, r, pad);
            for cell in (0..grid.cells()).step_by(if w * h > 500 { 7 } else { 1 }) {
                for what in [A, Z, 1] {
                    if board[cell] == what {
                        continue;
                    }
                    let [count] = v.count(&board, board.spot(cell), [what]);
                    let mut rngs = [0, 1, 2].map(|_| Streams::new(5).stream("s", cell as u64, u64::from(what)));
                    for _ in 0..10 {
                        let want = sample_by_grid(&grid, shape, r, &board, cell, what, &mut rngs[0]);
                        let on_board = v.sample(&board, board.spot(cell), what, count, &mut rngs[1]);
                        let on_plain = v.sample(&plain, plain.spot(cell), what, count, &mut rngs[2]);
                        assert_eq!(on_board.map(|s| s.cell), want, "{w}x{h} torus={torus} {shape:?} r={r} cell={cell}");
                        assert_eq!(on_plain.map(|s| s.cell), want);
                        assert_eq!(on_board, on_board.map(|s| board.spot(s.cell)));
                    }
                    let next = rngs.map(|mut r| r.random::<u64>());
                    assert!(next[1] == next[0] && next[2] == next[0], "as many draws");
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
            let mut board = Board::new(&grid, pad, vec![Z; grid.cells()]);
            for _ in 0..5000 {
                let cell = rng.random_range(0..grid.cells());
                let what = rng.random_range(0..5u8);
                if rng.random::<bool>() {
                    board.set(cell, what);
                } else {
                    board.put(board.spot(cell), what);
                }
            }
            let fresh = Board::new(&grid, pad, board.plain.clone());
            assert_eq!(board.padded, fresh.padded, "{w}x{h} torus={torus} pad={pad}");
            // Every padded cell holds its wrapped cell, or the frame.
            let l = board.layout.unwrap_or_else(|| panic!("no board"));
            let (pad, ph) = (pad as i64, (h + 2 * pad) as usize);
            for py in 0..ph {
                for px in 0..l.pw {
                    let (x, y) = (px as i64 - pad, py as i64 - pad);
                    let want = grid.offset(0, x as i32, y as i32).map_or(FRAME, |c| board[c as usize]);
                    assert_eq!(board.padded[py * l.pw + px], want, "{w}x{h} torus={torus} at ({x}, {y})");
                }
            }
        }
    }

    #[test]
    fn offsets_and_spots_agree_with_the_grid() {
        for (w, h, torus, pad) in [(40, 40, true, 7), (12, 9, false, 3), (3, 3, true, 7)] {
            let grid = Grid::new(w, h, torus);
            let board = Board::new(&grid, pad, vec![Z; grid.cells()]);
            for cell in 0..grid.cells() {
                let at = board.spot(cell);
                let (x, y) = grid.xy(cell as u32);
                assert_eq!(at.xy(), (x as usize, y as usize));
                for (dx, dy) in [(0, 0), (-3, 2), (7, -7), (1, 0), (-1, -1)] {
                    let want = grid.offset(cell as u32, dx, dy).map(|c| board.spot(c as usize));
                    assert_eq!(board.offset(at, (i64::from(dx), i64::from(dy))), want);
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "reserved value")]
    fn the_frame_value_is_refused() {
        Board::new(&Grid::new(2, 2, true), 1, vec![0, 1, FRAME, 3]);
    }

    #[test]
    fn samples_are_uniform_over_the_matching_cells() {
        let grid = Grid::new(30, 30, false);
        let board = Board::new(&grid, 4, (0..grid.cells()).map(|i| ((i * 7 + i / 3) % 5) as u8).collect());
        let v = Vicinity::new(&grid, Neighbourhood::VonNeumann, 4, 4);
        let mut rng = Streams::new(1).stream("t", 0, 0);
        // An interior cell, an edge cell, a corner.
        for cell in [15 * 30 + 15, 30 * 2, 0] {
            for what in [Z, A] {
                if board[cell] == what {
                    continue;
                }
                let [count] = v.count(&board, board.spot(cell), [what]);
                let mut hits = std::collections::BTreeMap::new();
                let draws = 2000 * count as usize;
                for _ in 0..draws {
                    let t = v.sample(&board, board.spot(cell), what, count, &mut rng).map(|s| s.cell);
                    *hits.entry(t.unwrap_or(usize::MAX)).or_insert(0usize) += 1;
                }
                assert_eq!(hits.len(), count as usize, "every matching cell is drawn, nothing else");
                for (&t, &k) in &hits {
                    assert_eq!(board[t], what);
                    assert!((k as f64 - 2000.0).abs() < 250.0, "cell {t}: {k} of {draws}");
                }
            }
        }
        assert_eq!(v.sample(&board, board.spot(0), Z, 0, &mut rng), None);
    }
}
