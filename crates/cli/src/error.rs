use std::fmt;

/// Anything that stops a command. Each variant prints as a message a user can act on.
#[derive(Debug)]
pub enum CliError {
    Scenario(perelom_scenario::ScenarioError),
    Output(perelom_output::OutputError),
    /// Any other problem, already phrased for the user.
    Message(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Scenario(e) => write!(f, "{e}"),
            CliError::Output(e) => write!(f, "{e}"),
            CliError::Message(m) => write!(f, "{m}"),
        }
    }
}

impl From<perelom_scenario::ScenarioError> for CliError {
    fn from(e: perelom_scenario::ScenarioError) -> Self {
        CliError::Scenario(e)
    }
}

impl From<perelom_output::OutputError> for CliError {
    fn from(e: perelom_output::OutputError) -> Self {
        CliError::Output(e)
    }
}

impl From<String> for CliError {
    fn from(m: String) -> Self {
        CliError::Message(m)
    }
}

impl From<perelom_experiments::Error> for CliError {
    fn from(e: perelom_experiments::Error) -> Self {
        match e {
            perelom_experiments::Error::Scenario(e) => CliError::Scenario(e),
            perelom_experiments::Error::Output(e) => CliError::Output(e),
            perelom_experiments::Error::Message(m) => CliError::Message(m),
        }
    }
}
