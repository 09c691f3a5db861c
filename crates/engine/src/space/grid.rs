//! A 2-D grid of cells indexed `y * width + x`, bounded or wrapped into a torus.
//!
//! [`Grid`] is the geometry: the size, whether the edges wrap, and the one torus wrap
//! ([`wrap`], through [`Grid::locate`]) that every space of the engine uses. Its
//! neighbour queries ([`Grid::neighbours`]) are the plain, obviously correct route: a
//! loop over a list of offsets with one wrap per coordinate. Models that scan
//! neighbourhoods in hot loops use the padded [`Board`](super::board::Board) and its
//! [`Vicinity`](super::board::Vicinity) scans instead, which are tested against it.

/// Shape of the neighbourhood of radius `r` around a cell (the cell itself excluded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Neighbourhood {
    /// Cells with |dx| + |dy| <= r (Mesa's `OrthogonalVonNeumannGrid`, Epstein's
    /// "vision" in the four principal directions extended to a diamond).
    VonNeumann,
    /// Cells with max(|dx|, |dy|) <= r.
    Moore,
    /// Cells with dx² + dy² <= r² (NetLogo's `in-radius`).
    Euclidean,
}

impl Neighbourhood {
    /// Offsets `(dx, dy)` of the neighbourhood of radius `r`, the centre excluded, in a
    /// fixed order (row by row).
    pub fn offsets(self, r: u32) -> Vec<(i32, i32)> {
        let r = r as i32;
        let mut out = Vec::new();
        for dy in -r..=r {
            for dx in -r..=r {
                if dx == 0 && dy == 0 {
                    continue;
                }
                let inside = match self {
                    Neighbourhood::VonNeumann => dx.abs() + dy.abs() <= r,
                    Neighbourhood::Moore => true,
                    Neighbourhood::Euclidean => dx * dx + dy * dy <= r * r,
                };
                if inside {
                    out.push((dx, dy));
                }
            }
        }
        out
    }
}

/// The coordinate `c` wrapped onto `0..len`, the torus wrap of the engine: every
/// space wraps through this function (or [`Grid::locate`], which calls it).
///
/// Exact for every `c`. A coordinate less than `len` outside the range, the common
/// case of a neighbour a short offset away, costs one comparison and one addition or
/// subtraction; only farther ones (offsets larger than the grid) take a division.
///
/// `len` must be positive.
///
/// # Panics
///
/// If `len` is 0 (a grid has at least one cell in each direction).
///
/// ```
/// use perelom_engine::space::wrap;
/// assert_eq!(wrap(-1, 40), 39);
/// assert_eq!(wrap(40, 40), 0);
/// assert_eq!(wrap(7, 40), 7);
/// assert_eq!(wrap(-85, 40), 35);
/// ```
#[inline(always)]
pub fn wrap(c: i64, len: i64) -> i64 {
    if c < 0 {
        if c >= -len {
            c + len
        } else {
            c.rem_euclid(len)
        }
    } else if c < len {
        c
    } else if c - len < len {
        c - len
    } else {
        c.rem_euclid(len)
    }
}

/// Grid geometry: `width × height` cells, numbered `y · width + x` from the top left,
/// with or without wrapped edges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    /// Cells in a row (x from 0 to `width − 1`); at least 1.
    pub width: u32,
    /// Rows (y from 0 to `height − 1`); at least 1.
    pub height: u32,
    /// Whether the edges wrap (a torus) or bound the grid.
    pub torus: bool,
}

impl Grid {
    /// A grid of `width × height` cells. Both must be at least 1 for any query to be
    /// meaningful (a zero-sized grid has no cells, and wrapping onto it panics).
    pub fn new(width: u32, height: u32, torus: bool) -> Self {
        Grid { width, height, torus }
    }

    /// Number of cells, `width · height`.
    pub fn cells(&self) -> usize {
        self.width as usize * self.height as usize
    }

    /// The coordinates `(x, y)` of `cell`.
    #[inline]
    pub fn xy(&self, cell: u32) -> (i32, i32) {
        ((cell % self.width) as i32, (cell / self.width) as i32)
    }

    /// The point `(x, y)`, possibly outside the grid, as coordinates on it: wrapped with
    /// [`wrap`] on a torus, `None` off a bounded grid.
    #[inline(always)]
    pub fn locate(&self, x: i64, y: i64) -> Option<(usize, usize)> {
        let (w, h) = (i64::from(self.width), i64::from(self.height));
        if self.torus {
            Some((wrap(x, w) as usize, wrap(y, h) as usize))
        } else if (0..w).contains(&x) && (0..h).contains(&y) {
            Some((x as usize, y as usize))
        } else {
            None
        }
    }

    /// The cell at `(x + dx, y + dy)` from `cell`, wrapped on a torus, `None` off a
    /// bounded grid.
    #[inline]
    pub fn offset(&self, cell: u32, dx: i32, dy: i32) -> Option<u32> {
        let (x, y) = self.xy(cell);
        let (nx, ny) = self.locate(i64::from(x) + i64::from(dx), i64::from(y) + i64::from(dy))?;
        Some(ny as u32 * self.width + nx as u32)
    }

    /// Appends the neighbours of `cell` under `offsets` to `out` (cleared first). On a
    /// torus smaller than the neighbourhood a cell can be reached by two offsets; it is
    /// listed once per offset, as Mesa and NetLogo do not (they deduplicate), so models
    /// on tiny tori should use [`Grid::neighbours_unique`].
    #[inline]
    pub fn neighbours(&self, cell: u32, offsets: &[(i32, i32)], out: &mut Vec<u32>) {
        out.clear();
        out.extend(offsets.iter().filter_map(|&(dx, dy)| self.offset(cell, dx, dy)));
    }

    /// As [`Grid::neighbours`], without duplicates and without `cell` itself.
    pub fn neighbours_unique(&self, cell: u32, offsets: &[(i32, i32)], out: &mut Vec<u32>) {
        self.neighbours(cell, offsets, out);
        out.retain(|&c| c != cell);
        out.sort_unstable();
        out.dedup();
    }

    /// Whether the neighbourhood of radius `r` wraps onto itself on this grid.
    pub fn wraps_onto_itself(&self, r: u32) -> bool {
        self.torus && (2 * r + 1 > self.width || 2 * r + 1 > self.height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn von_neumann_radius_7_has_112_cells() {
        assert_eq!(Neighbourhood::VonNeumann.offsets(7).len(), 112);
        assert_eq!(Neighbourhood::VonNeumann.offsets(1).len(), 4);
    }

    #[test]
    fn moore_radius_1_has_8_cells() {
        assert_eq!(Neighbourhood::Moore.offsets(1).len(), 8);
        assert_eq!(Neighbourhood::Moore.offsets(7).len(), 224);
    }

    #[test]
    fn euclidean_radius_7_matches_hand_count() {
        // Hand count, column by column: for dx = 0..=7 the largest |dy| with
        // dx² + dy² <= 49 is 7, 6, 6, 6, 5, 4, 3, 0, so the column heights are
        // 15, 13, 13, 13, 11, 9, 7, 1. Total = 15 + 2·(13+13+13+11+9+7+1) = 149
        // cells including the centre, 148 without it.
        assert_eq!(Neighbourhood::Euclidean.offsets(7).len(), 148);
        assert_eq!(Neighbourhood::Euclidean.offsets(1).len(), 4);
    }

    #[test]
    fn torus_wraps_and_bounded_grid_clips() {
        let t = Grid::new(10, 10, true);
        let b = Grid::new(10, 10, false);
        let offs = Neighbourhood::Moore.offsets(1);
        let mut out = Vec::new();
        t.neighbours(0, &offs, &mut out);
        assert_eq!(out.len(), 8);
        assert!(out.contains(&99) && out.contains(&9) && out.contains(&90));
        b.neighbours(0, &offs, &mut out);
        let mut s = out.clone();
        s.sort();
        assert_eq!(s, vec![1, 10, 11]);
    }

    #[test]
    fn wrap_agrees_with_the_euclidean_remainder() {
        for len in [1i64, 2, 3, 7, 40] {
            for c in -5 * len - 3..5 * len + 3 {
                assert_eq!(wrap(c, len), c.rem_euclid(len), "wrap({c}, {len})");
            }
        }
        assert_eq!(wrap(i64::MIN, 40), i64::MIN.rem_euclid(40));
        assert_eq!(wrap(i64::MAX, 40), i64::MAX.rem_euclid(40));
        let g = Grid::new(5, 3, false);
        assert_eq!(g.locate(4, 2), Some((4, 2)));
        assert_eq!((g.locate(5, 0), g.locate(0, -1)), (None, None));
        let t = Grid::new(5, 3, true);
        assert_eq!((t.locate(5, -1), t.locate(-11, 7)), (Some((0, 2)), Some((4, 1))));
    }

    #[test]
    fn tiny_torus_neighbours_are_deduplicated() {
        let t = Grid::new(3, 3, true);
        assert!(t.wraps_onto_itself(7));
        let mut out = Vec::new();
        t.neighbours_unique(4, &Neighbourhood::VonNeumann.offsets(7), &mut out);
        assert_eq!(out.len(), 8);
    }
}
