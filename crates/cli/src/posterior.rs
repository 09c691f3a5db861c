//! A calibration's posterior: the library's (`perelom_experiments::posterior`), with its
//! errors as the command line's.

use crate::error::CliError;
pub use perelom_experiments::posterior::Posterior;
use perelom_experiments::posterior::PosteriorError;

impl From<PosteriorError> for CliError {
    fn from(e: PosteriorError) -> Self {
        perelom_experiments::Error::from(e).into()
    }
}
