use std::fmt;

/// A problem with a scenario, located in its file when it comes from one.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError {
    /// File name as the user gave it, or `--set` for the command line.
    pub file: String,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
    /// What is wrong, in one line.
    pub message: String,
    /// What to do about it: the valid range, the closest valid key.
    pub help: Option<String>,
    /// The error's parts as data, for callers that present errors as data (the Python
    /// package): see [`ScenarioError::key`], [`ScenarioError::valid`] and
    /// [`ScenarioError::suggestion`]. Boxed, to keep the error small.
    pub parts: Option<Box<ErrorParts>>,
}

/// What a [`ScenarioError`] is about, as data (its message says it in words).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorParts {
    /// The parameter the error is about, when it is about one.
    pub key: Option<String>,
    /// The valid values of that parameter, in words (as in the help), when a value is wrong.
    pub valid: Option<String>,
    /// The closest valid name (a parameter key, a model), when a name is unknown.
    pub suggestion: Option<String>,
}

impl ScenarioError {
    /// An error in `file` at 1-based (line, column) `position`, without help.
    pub fn new(file: &str, position: Option<(usize, usize)>, message: impl Into<String>) -> Self {
        ScenarioError { file: file.to_string(), position, message: message.into(), help: None, parts: None }
    }

    fn parts_mut(&mut self) -> &mut ErrorParts {
        self.parts.get_or_insert_with(Default::default)
    }

    /// The parameter the error is about, when it is about one.
    pub fn key(&self) -> Option<&str> {
        self.parts.as_ref().and_then(|p| p.key.as_deref())
    }

    /// The valid values of the parameter, in words, when a value is wrong.
    pub fn valid(&self) -> Option<&str> {
        self.parts.as_ref().and_then(|p| p.valid.as_deref())
    }

    /// The closest valid name, when a name is unknown.
    pub fn suggestion(&self) -> Option<&str> {
        self.parts.as_ref().and_then(|p| p.suggestion.as_deref())
    }

    /// Names the parameter the error is about (not shown: the message names it too), for
    /// callers that present errors as data, such as the Python package.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.parts_mut().key = Some(key.into());
        self
    }

    /// The valid values, in words (not shown: the help says them too).
    pub fn with_valid(mut self, valid: impl Into<String>) -> Self {
        self.parts_mut().valid = Some(valid.into());
        self
    }

    /// The closest valid name (not shown: the help says it too).
    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.parts_mut().suggestion = Some(suggestion.into());
        self
    }

    /// The same error with `help` (replacing any help it had).
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => write!(f, "{}:{}:{}: {}", self.file, line, col, self.message)?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// 1-based (line, column) of byte offset `at` in `text`, as people count: columns are
/// characters (not bytes), and a byte-order mark at the start of the text is not a
/// character of the text, so the first character after it is at column 1.
///
/// ```
/// use perelom_scenario::line_col;
/// assert_eq!(line_col("\u{FEFF}bogus = 1", 3), (1, 1));
/// assert_eq!(line_col("é = x", 4), (1, 4));
/// ```
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let body_start = if text.starts_with('\u{FEFF}') { '\u{FEFF}'.len_utf8() } else { 0 };
    let at = at.clamp(body_start, text.len().max(body_start));
    let mut start = at;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[body_start..start.max(body_start)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Something in a scenario that is allowed but probably not what its author meant,
/// located like a [`ScenarioError`]. Commands print warnings and record them with the
/// results; they never stop a run.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioWarning {
    /// The parameter the warning is about.
    pub key: String,
    /// Where its value was set: the file, `--set`, or the file of the scenario when the
    /// value is the model's default.
    pub file: String,
    /// 1-based line and column, when the value was written in a file.
    pub position: Option<(usize, usize)>,
    /// What is probably wrong, in one line.
    pub message: String,
    /// What to do about it, when there is a suggestion.
    pub help: Option<String>,
}

impl fmt::Display for ScenarioWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => write!(f, "{}:{}:{}: {}", self.file, line, col, self.message)?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 7), (2, 4));
        assert_eq!(line_col(t, 8), (3, 1));
        assert_eq!(line_col(t, 1000), (3, 2));
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let t = "\u{FEFF}ab\ncd";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (1, 1));
        assert_eq!(line_col(t, 4), (1, 2));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col("", 0), (1, 1));
    }
}
