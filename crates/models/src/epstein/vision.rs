//! What an Epstein agent sees: the contents of a cell, and the counts of cops, active
//! citizens and empty cells within its vision.
//!
//! The grid is a [`Board`] of one byte per cell saying what is on it ([`EMPTY`],
//! [`QUIET`], [`ACTIVE`], [`JAILED`] or [`COP`]); a kind of agent's vision is a
//! [`Vicinity`] of the shape and radius the scenario gives. The scans themselves (the
//! padded board, the torus wrap, the uniform draws) are the engine's:
//! `perelom_engine::space::board`.

use perelom_engine::space::{Board, Spot, Vicinity};

/// Cell contents, one byte per cell.
pub(crate) const EMPTY: u8 = 0;
pub(crate) const QUIET: u8 = 1;
pub(crate) const ACTIVE: u8 = 2;
pub(crate) const JAILED: u8 = 3;
pub(crate) const COP: u8 = 4;

/// What an agent sees around it (itself excluded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub cops: u32,
    pub active: u32,
    pub empty: u32,
}

/// Cops, actives and empty cells within `vision` of `at`.
#[inline]
pub(crate) fn look(vision: &Vicinity, board: &Board, at: Spot) -> Counts {
    let [cops, active, empty] = vision.count(board, at, [COP, ACTIVE, EMPTY]);
    Counts { cops, active, empty }
}
