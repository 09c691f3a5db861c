//! Standard normal probabilities for the ABC-SMC kernel densities (private).

use std::f64::consts::SQRT_2;

/// Complementary error function, Chebyshev fit of Press et al., *Numerical Recipes*
/// §6.2 (`erfcc`): fractional error below 1.2e-7 everywhere, including the tails.
pub(crate) fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07 + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let ans = t * poly.exp();
    if x >= 0.0 {
        ans
    } else {
        2.0 - ans
    }
}

/// P(a < Z < b) for a standard normal Z, computed from the nearer tail so that small
/// probabilities far from 0 keep their relative precision.
pub(crate) fn prob_between(a: f64, b: f64) -> f64 {
    if b <= a {
        return 0.0;
    }
    let p = if a >= 0.0 {
        0.5 * (erfc(a / SQRT_2) - erfc(b / SQRT_2))
    } else if b <= 0.0 {
        0.5 * (erfc(-b / SQRT_2) - erfc(-a / SQRT_2))
    } else {
        1.0 - 0.5 * erfc(b / SQRT_2) - 0.5 * erfc(-a / SQRT_2)
    };
    p.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Φ(1.959964) = 0.975, Φ(1) = 0.841344746, erfc(3) = 2.209049699858544e-5.
        assert!((prob_between(f64::NEG_INFINITY, 1.959_964) - 0.975).abs() < 1e-6);
        assert!((prob_between(-1.0, 1.0) - 0.682_689_492_137).abs() < 1e-6);
        assert!((erfc(3.0) / 2.209_049_699_858_544e-5 - 1.0).abs() < 1.2e-7);
        assert!((prob_between(5.0, f64::INFINITY) / 2.866_515_718_791_939e-7 - 1.0).abs() < 1e-6);
        assert_eq!(prob_between(1.0, 1.0), 0.0);
        assert!((prob_between(-3.0, -2.0) - prob_between(2.0, 3.0)).abs() < 1e-15);
    }
}
