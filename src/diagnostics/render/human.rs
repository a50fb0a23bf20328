//! The human renderer: codespan-reporting snippets for a terminal (`error[M101]: message`, the source
//! lines with the primary range underlined, related ranges as secondary labels, a `help:` link to the
//! code's documentation), then one summary line. Lines and columns come from the shared [`Files`] index,
//! so they match the JSON output exactly; codespan-reporting only draws.
//!
//! A line longer than [`LONG_LINE`] bytes (minified M, a 10 MB single line) is shown cut to a window
//! around the label on it ([`Windows`]): printing the whole line for each of its diagnostics would make
//! the output, and the time to write it, grow with the square of the line.

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Snippet, Label, Severity as Level};
use codespan_reporting::files::Error as FilesError;
use codespan_reporting::term::termcolor::{Ansi, Color, ColorSpec, NoColor, WriteColor};
use codespan_reporting::term::{self, Config};

use super::{count, Files};
use crate::diagnostics::{FileReport, Severity, Summary};
use crate::text::{self, floor_char_boundary};

/// Writes every diagnostic with its source snippet, then a summary line such as
/// `2 errors, 1 warning in 3 files`. With `color`, the output has ANSI color sequences.
///
/// The output is buffered here: codespan-reporting writes a snippet in many small pieces (a character of
/// the underline at a time), and on an unbuffered stream (stderr) each piece was a system call.
pub fn human(reports: &[FileReport], out: &mut dyn Write, color: bool) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(64 * 1024, out);
    if color {
        write_human(reports, &mut Ansi::new(&mut buffered))?;
    } else {
        write_human(reports, &mut NoColor::new(&mut buffered))?;
    }
    buffered.flush()
}

fn write_human(reports: &[FileReport], out: &mut dyn WriteColor) -> io::Result<()> {
    let sources = Sources::new(reports);
    let config = Config::default();
    for (id, report) in reports.iter().enumerate() {
        for diagnostic in &report.diagnostics {
            let level = match diagnostic.severity {
                Severity::Error => Level::Error,
                Severity::Warning => Level::Warning,
                Severity::Info => Level::Note,
                Severity::Hint => Level::Help,
            };
            let mut windows = Windows::new(&sources);
            let primary = windows.fit(id, sources.clamp(id, &diagnostic.range), true);
            let mut labels = vec![Label::primary(id, primary.expect("a primary label always fits"))];
            let mut notes = Vec::new();
            for related in &diagnostic.related {
                let fitted = sources.files.related_file(id, related).and_then(|other| {
                    Some((other, windows.fit(other, sources.clamp(other, &related.range), false)?))
                });
                match fitted {
                    Some((other, range)) => {
                        labels.push(Label::secondary(other, range).with_message(&related.message))
                    }
                    None => notes.push(format!(
                        "{}: {}",
                        sources.files.related_path(id, related),
                        related.message
                    )),
                }
            }
            for fix in &diagnostic.fixes {
                notes.push(format!("fix: {}", fix.title));
            }
            notes.extend(windows.cut_lines());
            notes.push(format!("help: see {} ({})", diagnostic.code.doc_url(), diagnostic.code.name));
            let snippet = Snippet::new(level)
                .with_code(diagnostic.code.id)
                .with_message(&diagnostic.message)
                .with_labels(labels)
                .with_notes(notes);
            term::emit(out, &config, &windows, &snippet).map_err(|error| match error {
                FilesError::Io(error) => error,
                other => io::Error::other(other.to_string()),
            })?;
        }
    }
    write_summary(reports, out)
}

fn write_summary(reports: &[FileReport], out: &mut dyn WriteColor) -> io::Result<()> {
    let summary = Summary::of(reports);
    let mut parts = Vec::new();
    if summary.errors > 0 {
        parts.push(count(summary.errors, "error"));
    }
    if summary.warnings > 0 {
        parts.push(count(summary.warnings, "warning"));
    }
    if summary.notes > 0 {
        parts.push(count(summary.notes, "note"));
    }
    if summary.files == 0 {
        // "No problems" would claim a check that did not happen.
        return writeln!(out, "no files checked");
    }
    let problems = if parts.is_empty() { String::from("no problems") } else { parts.join(", ") };
    let color = match (summary.errors, summary.warnings) {
        (0, 0) => Color::Green,
        (0, _) => Color::Yellow,
        _ => Color::Red,
    };
    out.set_color(ColorSpec::new().set_bold(true).set_fg(Some(color)))?;
    write!(out, "{problems} in {}", count(summary.files, "file"))?;
    out.reset()?;
    writeln!(out)
}

/// The files as codespan-reporting reads them: the shown text of each file, with lines and columns from
/// the shared line index.
struct Sources<'a> {
    files: Files<'a>,
    shown: Vec<Cow<'a, str>>,
}

impl<'a> Sources<'a> {
    fn new(reports: &'a [FileReport]) -> Sources<'a> {
        let shown = reports.iter().map(|report| shown_text(&report.text)).collect();
        Sources { files: Files::new(reports), shown }
    }

    /// A range clamped to the shown text, to character boundaries and to after a byte-order mark, as the
    /// lines given to codespan-reporting start after it.
    fn clamp(&self, id: usize, range: &Range<usize>) -> Range<usize> {
        let text = &self.shown[id];
        let first = bom_len(text);
        let start = floor_char_boundary(text, range.start.max(first));
        start..floor_char_boundary(text, range.end).max(start)
    }
}

fn bom_len(text: &str) -> usize {
    if text.starts_with(text::BOM) {
        text::BOM.len()
    } else {
        0
    }
}

/// The text to print for a file. A binary file shows nothing, its bytes are not lines anyone can read, so
/// its snippets are empty and point at its start.
/// Control characters other than tab and line breaks become `?` (or `¿` for the two-byte C1 controls), so a
/// file cannot send escape sequences to the terminal; each replacement has the length of what it replaces,
/// so offsets, lines and columns stay those of the file.
fn shown_text(text: &str) -> Cow<'_, str> {
    if text::looks_binary(text.as_bytes()) {
        return Cow::Borrowed("");
    }
    let unsafe_char = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if !text.contains(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                c if unsafe_char(c) && c.len_utf8() == 1 => '?',
                c if unsafe_char(c) => '¿',
                c => c,
            })
            .collect(),
    )
}

/// Lines longer than this many bytes are shown cut to a window.
const LONG_LINE: usize = 240;
/// How much of a long line is shown before and after a label's ends.
const CONTEXT: usize = 60;
/// How much of a label on a long line is shown.
const SPAN: usize = 120;

/// The files as one diagnostic shows them: each long line that holds a label's start or end is cut to a
/// window around it, and any other long line to its start. Lines, columns and names are the files' own.
struct Windows<'s, 'a> {
    sources: &'s Sources<'a>,
    /// (file, line, the bytes of the line shown).
    windows: Vec<(usize, usize, Range<usize>)>,
}

impl<'s, 'a> Windows<'s, 'a> {
    fn new(sources: &'s Sources<'a>) -> Windows<'s, 'a> {
        Windows { sources, windows: Vec::new() }
    }

    /// A note for each line shown cut, so that nobody takes the window for the whole line.
    fn cut_lines(&self) -> Vec<String> {
        self.windows
            .iter()
            .map(|(id, line, _)| {
                let whole =
                    codespan_reporting::files::Files::line_range(self.sources, *id, *line).unwrap_or(0..0);
                format!(
                    "line {} of {} is {} bytes long; only the part around the label is shown",
                    line + 1,
                    self.sources.files.files[*id].path,
                    whole.len()
                )
            })
            .collect()
    }

    fn window(&self, id: usize, line: usize) -> Option<Range<usize>> {
        self.windows
            .iter()
            .find(|(file, at, _)| *file == id && *at == line)
            .map(|(_, _, window)| window.clone())
    }

    /// The range of a label as it is shown: on a long line cut to at most [`SPAN`] bytes, and a window
    /// made around it. `None` when it falls outside a window already made for another label on that line
    /// (it is then told as a note), unless it is the `primary` one, which comes first.
    fn fit(&mut self, id: usize, range: Range<usize>, primary: bool) -> Option<Range<usize>> {
        let text: &str = &self.sources.shown[id];
        let index = &self.sources.files.get(id).index;
        let (first, last) = (index.line_of(range.start), index.line_of(range.end));
        // A line of the shown text, without its terminator.
        let content = |line: usize| {
            let whole = codespan_reporting::files::Files::line_range(self.sources, id, line).unwrap_or(0..0);
            whole.start..whole.start + text[whole].trim_end_matches(['\r', '\n']).len()
        };
        let long = |line: usize| content(line).len() > LONG_LINE;
        let mut range = range;
        if first == last && long(first) && range.len() > SPAN {
            range.end = floor_char_boundary(text, range.start + SPAN);
        }
        // The window each end of the label needs on its line, if that line is long.
        let mut wanted = Vec::new();
        for (line, point) in [(first, range.start), (last, range.end)] {
            if !long(line) {
                continue;
            }
            let content = content(line);
            let (from, to) = if first == last { (range.start, range.end) } else { (point, point) };
            let window = floor_char_boundary(text, from.saturating_sub(CONTEXT).max(content.start))
                ..floor_char_boundary(text, (to + CONTEXT).min(content.end)).max(to);
            match self.window(id, line) {
                Some(made) if made.start <= from && to <= made.end => {}
                Some(_) if !primary => return None,
                _ => wanted.push((line, window)),
            }
        }
        for (line, window) in wanted {
            self.windows.retain(|(file, at, _)| !(*file == id && *at == line));
            self.windows.push((id, line, window));
        }
        Some(range)
    }
}

impl<'s, 'a> codespan_reporting::files::Files<'s> for Windows<'s, 'a> {
    type FileId = usize;
    type Name = &'s str;
    type Source = &'s str;

    fn name(&'s self, id: usize) -> Result<&'s str, FilesError> {
        self.sources.name(id)
    }

    fn source(&'s self, id: usize) -> Result<&'s str, FilesError> {
        self.sources.source(id)
    }

    fn line_index(&'s self, id: usize, byte_index: usize) -> Result<usize, FilesError> {
        self.sources.line_index(id, byte_index)
    }

    fn column_number(&'s self, id: usize, line_index: usize, byte_index: usize) -> Result<usize, FilesError> {
        self.sources.column_number(id, line_index, byte_index)
    }

    fn line_range(&'s self, id: usize, line_index: usize) -> Result<Range<usize>, FilesError> {
        let line = self.sources.line_range(id, line_index)?;
        if let Some(window) = self.window(id, line_index) {
            return Ok(window);
        }
        if line.len() > LONG_LINE {
            let text = self.sources.source(id)?;
            return Ok(line.start..floor_char_boundary(text, line.start + LONG_LINE));
        }
        Ok(line)
    }
}

impl<'a> codespan_reporting::files::Files<'a> for Sources<'a> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, FilesError> {
        self.files.files.get(id).map(|file| file.path).ok_or(FilesError::FileMissing)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, FilesError> {
        self.shown.get(id).map(|text| text.as_ref()).ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, FilesError> {
        let text = self.source(id)?;
        Ok(self.files.get(id).index.line_of(byte_index.min(text.len())))
    }

    fn column_number(
        &'a self,
        id: usize,
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        let text = self.source(id)?;
        Ok(self.files.get(id).index.line_column(text, byte_index).column as usize)
    }

    /// The range of a line including its terminator, as codespan-reporting expects; the first line starts
    /// after a byte-order mark, which editors do not show either.
    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, FilesError> {
        let text = self.source(id)?;
        let index = &self.files.get(id).index;
        if line_index >= index.line_count() {
            return Err(FilesError::LineTooLarge { given: line_index, max: index.line_count() - 1 });
        }
        let start =
            if line_index == 0 { bom_len(text) } else { index.line_start(line_index).min(text.len()) };
        let end =
            if line_index + 1 < index.line_count() { index.line_start(line_index + 1) } else { text.len() };
        Ok(start..end.min(text.len()))
    }
}
