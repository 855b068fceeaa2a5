//! Located errors: what is wrong, where (file, line, column, field, actor or issue), and a
//! hint on how to fix it.

use std::fmt;

/// Where in an input file a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The field (TOML key or CSV column) at fault.
    pub field: Option<String>,
    /// The record the field belongs to, e.g. `actor "NLD"` or `stance NLD on delay`.
    pub record: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        Ok(())
    }
}

/// One problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub location: Location,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.location)?;
        match (&self.location.record, &self.location.field) {
            (Some(r), Some(fl)) => write!(f, "{r}, field `{fl}`: ")?,
            (Some(r), None) => write!(f, "{r}: ")?,
            (None, Some(fl)) => write!(f, "field `{fl}`: ")?,
            (None, None) => {}
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Every problem found in one file (validation reports them all, not just the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl ScenarioErrors {
    /// The problems, in file order.
    pub fn errors(&self) -> &[ScenarioError] {
        &self.0
    }
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, e) in self.0.iter().enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
            if let Some(h) = &e.hint {
                write!(f, "\n  hint: {h}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

impl From<ScenarioError> for ScenarioErrors {
    fn from(e: ScenarioError) -> Self {
        ScenarioErrors(vec![e])
    }
}

/// Byte offsets to 1-based line and column numbers.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// `(line, column)`, both 1-based; the column counts bytes.
    pub(crate) fn locate(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line.saturating_sub(1)];
        (line.max(1), offset - start + 1)
    }
}

/// Builds errors for one file.
#[derive(Debug, Clone)]
pub(crate) struct Reporter {
    pub(crate) file: String,
    index: LineIndex,
    pub(crate) errors: Vec<ScenarioError>,
}

impl Reporter {
    pub(crate) fn new(file: &str, text: &str) -> Self {
        Self {
            file: file.to_string(),
            index: LineIndex::new(text),
            errors: Vec::new(),
        }
    }

    /// A location from a byte span (the span's start).
    pub(crate) fn at(&self, offset: Option<usize>) -> Location {
        let (line, column) = match offset {
            Some(o) => {
                let (l, c) = self.index.locate(o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        Location {
            file: self.file.clone(),
            line,
            column,
            field: None,
            record: None,
        }
    }

    pub(crate) fn push(
        &mut self,
        offset: Option<usize>,
        record: Option<String>,
        field: Option<&str>,
        message: impl Into<String>,
        hint: Option<&str>,
    ) {
        let mut location = self.at(offset);
        location.record = record;
        location.field = field.map(str::to_string);
        self.errors.push(ScenarioError {
            location,
            message: message.into(),
            hint: hint.map(str::to_string),
        });
    }

    pub(crate) fn finish<T>(self, value: T) -> Result<T, ScenarioErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            let mut errors = self.errors;
            errors.sort_by_key(|e| (e.location.line, e.location.column));
            Err(ScenarioErrors(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_from_one() {
        let idx = LineIndex::new("ab\ncd\n\nx");
        assert_eq!(idx.locate(0), (1, 1));
        assert_eq!(idx.locate(1), (1, 2));
        assert_eq!(idx.locate(3), (2, 1));
        assert_eq!(idx.locate(7), (4, 1));
    }

    #[test]
    fn display_names_record_and_field() {
        let e = ScenarioError {
            location: Location {
                file: "s.toml".into(),
                line: Some(3),
                column: Some(7),
                field: Some("salience".into()),
                record: Some("stance NLD on delay".into()),
            },
            message: "120 is above 100".into(),
            hint: Some("use 0-100".into()),
        };
        let all = ScenarioErrors(vec![e]);
        assert_eq!(
            all.to_string(),
            "s.toml:3:7: stance NLD on delay, field `salience`: 120 is above 100\n  hint: use 0-100"
        );
    }
}
