//! Sobol' low-discrepancy points.
//!
//! Implements the Sobol' sequence (I. M. Sobol', "On the distribution of points in a
//! cube and the approximate evaluation of integrals", USSR Comput. Math. Math. Phys.
//! 7, 1967) in the Gray-code order of Antonov and Saleev (1979), with the direction
//! numbers of S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
//! two-dimensional projections", SIAM J. Sci. Comput. 30, 2008 (the file
//! `new-joe-kuo-6.21201`, first [`MAX_DIMS`] dimensions). The points are unscrambled
//! and identical to those of SciPy's `scipy.stats.qmc.Sobol(d, scramble=False)` for
//! indices below 2^30.
//!
//! Direction numbers: Copyright (c) 2008, Frances Y. Kuo and Stephen Joe, redistributed
//! under their BSD-style licence.
//!
//! ```
//! use perelom_analysis::qmc::SobolSequence;
//! let seq = SobolSequence::new(2).unwrap();
//! assert_eq!(seq.point(2), vec![0.75, 0.25]);
//! ```

/// Number of dimensions available (the first dimension plus 63 rows of Joe–Kuo data).
pub const MAX_DIMS: usize = 64;

/// Bits of resolution: points are multiples of 2^-32 and the sequence has 2^32 points.
const BITS: usize = 32;

/// Joe–Kuo rows for dimensions 2..=64: (degree s, polynomial coefficients a, initial m_1..m_s).
const JOE_KUO: [(u32, u32, &[u32]); MAX_DIMS - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
    (7, 50, &[1, 3, 1, 3, 5, 53, 69]),
    (7, 55, &[1, 1, 5, 5, 23, 33, 13]),
    (7, 56, &[1, 1, 7, 7, 1, 61, 123]),
    (7, 59, &[1, 1, 7, 9, 13, 61, 49]),
    (7, 62, &[1, 3, 3, 5, 3, 55, 33]),
    (8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]),
    (8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]),
    (8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]),
    (8, 38, &[1, 3, 1, 11, 27, 43, 71, 9]),
    (8, 47, &[1, 1, 7, 15, 21, 11, 81, 45]),
    (8, 49, &[1, 3, 7, 3, 25, 31, 65, 79]),
    (8, 50, &[1, 3, 1, 1, 19, 11, 3, 205]),
    (8, 52, &[1, 1, 5, 9, 19, 21, 29, 157]),
    (8, 56, &[1, 3, 7, 11, 1, 33, 89, 185]),
    (8, 67, &[1, 3, 3, 3, 15, 9, 79, 71]),
    (8, 70, &[1, 3, 7, 11, 15, 39, 119, 27]),
    (8, 84, &[1, 1, 3, 1, 11, 31, 97, 225]),
    (8, 97, &[1, 1, 1, 3, 23, 43, 57, 177]),
    (8, 103, &[1, 3, 7, 7, 17, 17, 37, 71]),
    (8, 115, &[1, 3, 1, 5, 27, 63, 123, 213]),
    (8, 122, &[1, 1, 3, 5, 11, 43, 53, 133]),
    (9, 8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]),
    (9, 13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]),
    (9, 16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]),
    (9, 22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]),
    (9, 25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]),
    (9, 44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]),
    (9, 47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]),
    (9, 52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]),
    (9, 55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]),
    (9, 59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]),
    (9, 62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]),
];

/// A Sobol' sequence in a fixed number of dimensions. Cheap to build; any point can be
/// computed directly from its index.
#[derive(Clone, Debug)]
pub struct SobolSequence {
    /// `directions[d][k]`: direction number v_{k+1} of dimension d, as a 32-bit fraction.
    directions: Vec<[u32; BITS]>,
}

impl SobolSequence {
    /// The sequence in `dims` dimensions (1 ≤ `dims` ≤ [`MAX_DIMS`]).
    pub fn new(dims: usize) -> Result<Self, String> {
        if dims == 0 || dims > MAX_DIMS {
            return Err(format!("a Sobol' sequence needs between 1 and {MAX_DIMS} dimensions, got {dims}"));
        }
        let mut directions = Vec::with_capacity(dims);
        let mut first = [0u32; BITS];
        for (k, v) in first.iter_mut().enumerate() {
            *v = 1u32 << (BITS - 1 - k);
        }
        directions.push(first);
        for &(s, a, m) in JOE_KUO.iter().take(dims - 1) {
            let s = s as usize;
            let mut v = [0u32; BITS];
            for k in 0..s.min(BITS) {
                v[k] = m[k] << (BITS - 1 - k);
            }
            for k in s..BITS {
                let mut x = v[k - s] ^ (v[k - s] >> s);
                for j in 1..s {
                    if (a >> (s - 1 - j)) & 1 == 1 {
                        x ^= v[k - j];
                    }
                }
                v[k] = x;
            }
            directions.push(v);
        }
        Ok(SobolSequence { directions })
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.directions.len()
    }

    /// The point with the given index, in `[0, 1)^dims`. Index 0 is the origin.
    pub fn point(&self, index: u32) -> Vec<f64> {
        let gray = index ^ (index >> 1);
        self.directions
            .iter()
            .map(|v| {
                let mut x = 0u32;
                let mut g = gray;
                let mut k = 0;
                while g != 0 {
                    if g & 1 == 1 {
                        x ^= v[k];
                    }
                    g >>= 1;
                    k += 1;
                }
                to_unit(x)
            })
            .collect()
    }

    /// `n` consecutive points starting at index `skip`, computed incrementally (one XOR
    /// per coordinate and point). Fails if the range passes the 2^32 points available.
    pub fn points(&self, n: usize, skip: usize) -> Result<Vec<Vec<f64>>, String> {
        let end = skip.checked_add(n).filter(|&e| e as u64 <= 1u64 << BITS);
        if end.is_none() {
            return Err(format!("Sobol' points {skip}..{skip}+{n} pass the 2^32 points of the sequence"));
        }
        let mut out = Vec::with_capacity(n);
        if n == 0 {
            return Ok(out);
        }
        // State in integer form at index `skip`.
        let gray = (skip as u32) ^ ((skip as u32) >> 1);
        let mut state: Vec<u32> =
            self.directions.iter().map(|v| (0..BITS).filter(|&k| (gray >> k) & 1 == 1).fold(0u32, |x, k| x ^ v[k])).collect();
        out.push(state.iter().map(|&x| to_unit(x)).collect());
        for i in skip + 1..skip + n {
            // Gray code of i differs from that of i - 1 in the lowest set bit of i.
            let c = (i as u64).trailing_zeros() as usize;
            for (x, v) in state.iter_mut().zip(&self.directions) {
                *x ^= v[c];
            }
            out.push(state.iter().map(|&x| to_unit(x)).collect());
        }
        Ok(out)
    }
}

fn to_unit(x: u32) -> f64 {
    f64::from(x) / (1u64 << BITS) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_well_formed() {
        for (d, &(s, a, m)) in JOE_KUO.iter().enumerate() {
            assert_eq!(m.len(), s as usize, "row {d}");
            assert!(a < 1 << (s - 1), "row {d}");
            for (k, &mk) in m.iter().enumerate() {
                assert!(mk % 2 == 1 && mk < 1 << (k + 1), "row {d}, m_{}", k + 1);
            }
        }
    }

    #[test]
    fn incremental_and_direct_agree() {
        let seq = SobolSequence::new(MAX_DIMS).unwrap();
        let pts = seq.points(300, 1000).unwrap();
        for (i, p) in pts.iter().enumerate() {
            assert_eq!(*p, seq.point(1000 + i as u32));
        }
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(SobolSequence::new(0).is_err());
        assert!(SobolSequence::new(MAX_DIMS + 1).is_err());
        let seq = SobolSequence::new(2).unwrap();
        assert!(seq.points(10, u32::MAX as usize).is_err());
        assert!(seq.points(1, u32::MAX as usize).is_ok());
    }
}
