//! A 2-D grid of cells indexed `y * width + x`, bounded or wrapped into a torus.
//!
//! Neighbourhoods are precomputed as lists of offsets, so a query is a loop over a
//! short slice with one wrap per coordinate: no allocation, no distance arithmetic.

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

/// Grid geometry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    pub width: u32,
    pub height: u32,
    pub torus: bool,
}

impl Grid {
    pub fn new(width: u32, height: u32, torus: bool) -> Self {
        Grid { width, height, torus }
    }

    pub fn cells(&self) -> usize {
        self.width as usize * self.height as usize
    }

    #[inline]
    pub fn xy(&self, cell: u32) -> (i32, i32) {
        ((cell % self.width) as i32, (cell / self.width) as i32)
    }

    /// The cell at `(x + dx, y + dy)`, wrapped on a torus, `None` off a bounded grid.
    #[inline]
    pub fn offset(&self, cell: u32, dx: i32, dy: i32) -> Option<u32> {
        let (x, y) = self.xy(cell);
        let (w, h) = (self.width as i32, self.height as i32);
        let (mut nx, mut ny) = (x + dx, y + dy);
        if self.torus {
            nx = nx.rem_euclid(w);
            ny = ny.rem_euclid(h);
        } else if nx < 0 || ny < 0 || nx >= w || ny >= h {
            return None;
        }
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
    fn tiny_torus_neighbours_are_deduplicated() {
        let t = Grid::new(3, 3, true);
        assert!(t.wraps_onto_itself(7));
        let mut out = Vec::new();
        t.neighbours_unique(4, &Neighbourhood::VonNeumann.offsets(7), &mut out);
        assert_eq!(out.len(), 8);
    }
}
