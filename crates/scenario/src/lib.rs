//! Scenario files: what a run is made of, as data.
//!
//! A model publishes its parameters as a schema of [`ParamSpec`]s (key, kind, valid
//! range, default, documentation and citation). A scenario file (TOML) names the model
//! and sets some of those parameters, each either as a bare value or annotated with its
//! evidence:
//!
//! ```toml
//! [scenario]
//! model = "epstein"
//! name = "Epstein 2002, run 1"
//!
//! [citizens]
//! density = { value = 0.7, source = "Epstein 2002, p. 7244" }
//! threshold = { value = 0.1, assumed = "as Mesa's example" }
//! ```
//!
//! [`parse`] checks every key, type and range and reports the first problem with file,
//! line, column, the valid range and a suggestion. The result is a [`Scenario`]: every
//! parameter of the schema resolved to a value, with where it came from.
//!
//! Architecture invariant: parsing never panics on any input (a property test feeds it
//! arbitrary text), and this crate does no I/O: callers hand it text.

#![warn(missing_docs)]

mod error;
mod parse;
mod schema;

pub use error::{line_col, ErrorParts, ScenarioError, ScenarioWarning};
pub use parse::{parse, Scenario, ScenarioMeta};
pub use schema::{Cite, DatedEvent, Kind, Origin, Param, ParamSpec, Value};
