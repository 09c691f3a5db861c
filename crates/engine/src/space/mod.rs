//! Spaces agents live in: a 2-D [`grid`] (its geometry and the torus [`wrap`]), a
//! [`board`] of one byte per cell with fast neighbourhood scans, and a social
//! [`network`].

pub mod board;
pub mod grid;
pub mod network;

pub use board::{Board, Spot, Vicinity, FRAME};
pub use grid::{wrap, Grid, Neighbourhood};
pub use network::Network;
