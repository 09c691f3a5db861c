//! What stops an experiment: a scenario error, an output error, or a message.

use std::fmt;

/// Anything that stops an experiment. Each variant prints as a message a user can act on.
#[derive(Debug)]
pub enum Error {
    /// A scenario or design value that fails its checks (with file, position, help).
    Scenario(perelom_scenario::ScenarioError),
    /// A result directory that cannot be written or may not be replaced.
    Output(perelom_output::OutputError),
    /// Any other problem, already phrased for the user.
    Message(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Scenario(e) => write!(f, "{e}"),
            Error::Output(e) => write!(f, "{e}"),
            Error::Message(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<perelom_scenario::ScenarioError> for Error {
    fn from(e: perelom_scenario::ScenarioError) -> Self {
        Error::Scenario(e)
    }
}

impl From<perelom_output::OutputError> for Error {
    fn from(e: perelom_output::OutputError) -> Self {
        Error::Output(e)
    }
}

impl From<String> for Error {
    fn from(m: String) -> Self {
        Error::Message(m)
    }
}
