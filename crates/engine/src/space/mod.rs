//! Spaces agents live in: a 2-D [`grid`] and a social [`network`].

pub mod grid;
pub mod network;

pub use grid::{Grid, Neighbourhood};
pub use network::Network;
