//! The GitHub renderer: one workflow command per diagnostic (`::error file=...,line=...::message`), which
//! GitHub Actions turns into annotations on the pull request. Errors are `error`, warnings `warning`, info
//! and hints `notice`. Values are escaped as GitHub's runner unescapes them.

use std::io::{self, Write};

use super::Files;
use crate::diagnostics::{FileReport, Severity};

/// Writes one workflow command line per diagnostic; a related location becomes a line of the message,
/// since annotations have no other place for it.
pub fn github(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let files = Files::new(reports);
    for (id, report) in reports.iter().enumerate() {
        let file = files.get(id);
        for diagnostic in &report.diagnostics {
            let command = match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Hint => "notice",
            };
            let span = file.span(&diagnostic.range);
            let title = format!("{} {}", diagnostic.code.id, diagnostic.code.name);
            let mut message = diagnostic.message.clone();
            for related in &diagnostic.related {
                let path = files.related_path(id, related);
                match files.related_file(id, related) {
                    Some(other) => {
                        let start = files.get(other).span(&related.range).start;
                        message.push_str(&format!(
                            "\n{path}:{}:{}: {}",
                            start.line, start.column, related.message
                        ));
                    }
                    None => message.push_str(&format!("\n{path}: {}", related.message)),
                }
            }
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&report.path),
                span.start.line,
                span.start.column,
                span.end.line,
                span.end.column,
                escape_property(&title),
                escape_data(&message),
            )?;
        }
    }
    Ok(())
}

/// Escapes the message of a workflow command.
fn escape_data(value: &str) -> String {
    value.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value of a workflow command, where `:` and `,` are delimiters too.
fn escape_property(value: &str) -> String {
    escape_data(value).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("100%\r\nnext: a,b"), "100%25%0D%0Anext: a,b");
        assert_eq!(escape_property("C:/a,b%.pq"), "C%3A/a%2Cb%25.pq");
    }
}
