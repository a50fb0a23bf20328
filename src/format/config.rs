//! Where a project says how its M is formatted: the `[format]` table of `dfls.toml` and `.editorconfig`.
//!
//! `dfls.toml` is the one at the repository root, found by walking up from the file: the first found wins,
//! and the walk stops at the directory that holds `.git`. Its `[format]` table takes `indent-width`
//! (integer), `use-tabs` (boolean) and `line-width` (integer); anything else there is an error, so a typo
//! does not pass silently, while the rest of the file (targets, ...) is only skipped. It is read with a
//! small TOML reader that understands the whole TOML syntax well enough to skip it (strings of all four
//! kinds, arrays and inline tables over several lines, comments, dotted keys), rather than a TOML crate.
//!
//! `.editorconfig` files are read as EditorConfig defines: from the file's directory up to one that says
//! `root = true`, nearer files winning, later sections winning within a file; `indent_style`,
//! `indent_size` (`tab` meaning `tab_width`), `tab_width` and `max_line_length` (`off` leaves the width
//! to the next source) apply, `unset` clears. Globs: `*`, `**`, `?`, `[abc]`, `[!abc]`, `{a,b}`, `{1..3}`.
//! The M inside a legacy `dataflow-content.json` takes the properties of a `mashup.pq` beside it.
//!
//! The readers are pure; [`project_settings`] walks directories through a [`ConfigFs`], which the callers
//! (the command line, the language server) implement over the file system.

use std::fmt;
use std::path::{Path, PathBuf};

use super::options::{Options, Settings};

/// The project configuration file.
pub const DFLS_TOML: &str = "dfls.toml";
/// The EditorConfig file.
pub const EDITORCONFIG: &str = ".editorconfig";

/// A configuration file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, as the caller named it.
    pub path: String,
    /// 1-based.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The file system as configuration discovery sees it.
pub trait ConfigFs {
    /// The text of a file, or `None` when there is none (or it is unreadable).
    fn read(&self, path: &Path) -> Option<String>;
    /// Whether a path exists (used for `.git`, the repository root).
    fn exists(&self, path: &Path) -> bool;
}

/// The real file system.
pub struct RealFs;

impl ConfigFs for RealFs {
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }
}

/// What a project's files say about formatting one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectSettings {
    /// From `dfls.toml` `[format]`.
    pub toml: Settings,
    /// The `dfls.toml` used, if any.
    pub toml_path: Option<PathBuf>,
    /// From `.editorconfig` files.
    pub editorconfig: Settings,
}

impl ProjectSettings {
    /// The options, in the documented order: `explicit` (command-line flags), `dfls.toml`,
    /// `.editorconfig`, `editor` (the language server's client), defaults.
    pub fn options(&self, explicit: Settings, editor: Settings) -> Options {
        explicit.or(self.toml).or(self.editorconfig).or(editor).resolve()
    }
}

/// The project settings for a file (an absolute path; the file need not exist).
pub fn project_settings(file: &Path, fs: &dyn ConfigFs) -> Result<ProjectSettings, ConfigError> {
    let mut settings = ProjectSettings::default();
    let Some(directory) = file.parent() else { return Ok(settings) };
    // dfls.toml: the first one up the tree, not above the repository root.
    for dir in directory.ancestors() {
        let candidate = dir.join(DFLS_TOML);
        if let Some(text) = fs.read(&candidate) {
            settings.toml = read_dfls_toml(&text).map_err(|(line, message)| ConfigError {
                path: candidate.display().to_string(),
                line,
                message,
            })?;
            settings.toml_path = Some(candidate);
            break;
        }
        if fs.exists(&dir.join(".git")) {
            break;
        }
    }
    // .editorconfig: nearer files win, so collect up to a root one, then apply from the farthest.
    let mut found = Vec::new();
    for dir in directory.ancestors() {
        if let Some(text) = fs.read(&dir.join(EDITORCONFIG)) {
            let config = EditorConfig::parse(&text);
            let root = config.root;
            found.push((dir, config));
            if root {
                break;
            }
        }
    }
    let mut properties = Properties::default();
    for (dir, config) in found.iter().rev() {
        let Ok(relative) = file.strip_prefix(dir) else { continue };
        let relative: Vec<String> =
            relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        config.apply(&relative.join("/"), &mut properties);
    }
    settings.editorconfig = properties.settings();
    Ok(settings)
}

// ----------------------------------------------------------------------------------------------------------
// dfls.toml

/// A value as the reader sees it: what `[format]` may hold, or the kind of anything else.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Integer(i64),
    Boolean(bool),
    Other(&'static str),
}

/// Reads the `[format]` table of a `dfls.toml`: `Err((line, message))` when the file is not TOML this
/// reader understands or the table holds something wrong.
pub fn read_dfls_toml(text: &str) -> Result<Settings, (usize, String)> {
    let mut reader = TomlReader { text, at: 0 };
    let mut table: Vec<String> = Vec::new();
    let mut settings = Settings::default();
    loop {
        reader.skip_blank();
        if reader.at >= text.len() {
            return Ok(settings);
        }
        let line = reader.line();
        if reader.eat("[") {
            let array = reader.eat("[");
            reader.skip_spaces();
            table = reader.key()?;
            reader.skip_spaces();
            if !reader.eat("]") || (array && !reader.eat("]")) {
                return Err((line, "a table header is not closed with `]`".into()));
            }
            reader.end_of_line()?;
            continue;
        }
        let key = reader.key()?;
        reader.skip_spaces();
        if !reader.eat("=") {
            return Err((line, format!("expected `=` after the key `{}`", key.join("."))));
        }
        reader.skip_spaces();
        let value = reader.value()?;
        reader.end_of_line()?;
        let mut path = table.clone();
        path.extend(key);
        if path.len() == 2 && path[0] == "format" {
            set_format_option(&mut settings, &path[1], value, line)?;
        } else if path.len() == 1 && path[0] == "format" {
            return Err((line, "`format` must be a table: `[format]`".into()));
        }
    }
}

fn set_format_option(
    settings: &mut Settings,
    key: &str,
    value: Value,
    line: usize,
) -> Result<(), (usize, String)> {
    let width = |value: Value, key: &str| match value {
        Value::Integer(n) if (1..=1_000_000).contains(&n) => Ok(n as usize),
        Value::Integer(n) => Err((line, format!("`{key}` must be a positive integer, not {n}"))),
        other => Err((line, format!("`{key}` must be an integer, not {}", kind(&other)))),
    };
    let twice = || (line, format!("`{key}` is set twice in [format]"));
    match key {
        "indent-width" => {
            if settings.indent_width.replace(width(value, key)?).is_some() {
                return Err(twice());
            }
        }
        "line-width" => {
            if settings.line_width.replace(width(value, key)?).is_some() {
                return Err(twice());
            }
        }
        "use-tabs" => {
            let Value::Boolean(tabs) = value else {
                return Err((line, format!("`use-tabs` must be true or false, not {}", kind(&value))));
            };
            if settings.use_tabs.replace(tabs).is_some() {
                return Err(twice());
            }
        }
        _ => {
            let hint = match key.replace('_', "-").as_str() {
                known @ ("indent-width" | "line-width" | "use-tabs") => format!(" (did you mean `{known}`?)"),
                _ => String::new(),
            };
            return Err((
                line,
                format!("unknown key `{key}` in [format]{hint}; the keys are indent-width, use-tabs and line-width"),
            ));
        }
    }
    Ok(())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Integer(_) => "an integer",
        Value::Boolean(_) => "a boolean",
        Value::Other(kind) => kind,
    }
}

struct TomlReader<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> TomlReader<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.at..]
    }

    fn line(&self) -> usize {
        self.text[..self.at].matches('\n').count() + 1
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start_matches([' ', '\t']).len();
    }

    fn skip_comment(&mut self) {
        if self.rest().starts_with('#') {
            self.at += self.rest().find('\n').unwrap_or(self.rest().len());
        }
    }

    /// Skips whitespace, line breaks and comments.
    fn skip_blank(&mut self) {
        loop {
            let before = self.at;
            let rest = self.rest();
            self.at += rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
            self.skip_comment();
            if self.at == before {
                return;
            }
        }
    }

    fn end_of_line(&mut self) -> Result<(), (usize, String)> {
        self.skip_spaces();
        self.skip_comment();
        if self.at >= self.text.len() || self.eat("\n") || self.eat("\r\n") {
            Ok(())
        } else {
            Err((self.line(), "unexpected text after a value; one key a line".into()))
        }
    }

    /// A dotted key of bare and quoted parts.
    fn key(&mut self) -> Result<Vec<String>, (usize, String)> {
        let mut parts = Vec::new();
        loop {
            self.skip_spaces();
            let part = match self.rest().chars().next() {
                Some('"') => self.basic_string()?,
                Some('\'') => self.literal_string()?,
                _ => {
                    let rest = self.rest();
                    let len = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                        .unwrap_or(rest.len());
                    if len == 0 {
                        return Err((self.line(), "expected a key".into()));
                    }
                    self.at += len;
                    rest[..len].to_string()
                }
            };
            parts.push(part);
            self.skip_spaces();
            if !self.eat(".") {
                return Ok(parts);
            }
        }
    }

    fn basic_string(&mut self) -> Result<String, (usize, String)> {
        let line = self.line();
        let multi = self.eat("\"\"\"");
        if !multi {
            self.eat("\"");
        }
        let mut value = String::new();
        loop {
            let Some(c) = self.rest().chars().next() else {
                return Err((line, "a string is not closed".into()));
            };
            if multi && self.rest().starts_with("\"\"\"") {
                self.at += 3;
                // Up to two more quotes belong to the string.
                while self.rest().starts_with('"') {
                    self.at += 1;
                }
                return Ok(value);
            }
            self.at += c.len_utf8();
            match c {
                '"' if !multi => return Ok(value),
                '\\' => {
                    if let Some(next) = self.rest().chars().next() {
                        self.at += next.len_utf8();
                        value.push(next);
                    }
                }
                '\n' if !multi => return Err((line, "a string is not closed on its line".into())),
                c => value.push(c),
            }
        }
    }

    fn literal_string(&mut self) -> Result<String, (usize, String)> {
        let line = self.line();
        let close = if self.eat("'''") {
            "'''"
        } else {
            self.eat("'");
            "'"
        };
        let Some(end) = self.rest().find(close) else {
            return Err((line, "a string is not closed".into()));
        };
        let value = self.rest()[..end].to_string();
        if close == "'" && value.contains('\n') {
            return Err((line, "a string is not closed on its line".into()));
        }
        self.at += end + close.len();
        Ok(value)
    }

    fn value(&mut self) -> Result<Value, (usize, String)> {
        match self.rest().chars().next() {
            Some('"') => self.basic_string().map(|_| Value::Other("a string")),
            Some('\'') => self.literal_string().map(|_| Value::Other("a string")),
            Some('[') => self.skip_nested().map(|()| Value::Other("an array")),
            Some('{') => self.skip_nested().map(|()| Value::Other("an inline table")),
            _ => {
                let rest = self.rest();
                let len = rest.find([' ', '\t', '\r', '\n', '#', ',', ']', '}']).unwrap_or(rest.len());
                if len == 0 {
                    return Err((self.line(), "expected a value".into()));
                }
                let token = &rest[..len];
                self.at += len;
                Ok(match token {
                    "true" => Value::Boolean(true),
                    "false" => Value::Boolean(false),
                    _ => match token.replace('_', "").parse::<i64>() {
                        Ok(n) => Value::Integer(n),
                        Err(_) => Value::Other("a number or a date"),
                    },
                })
            }
        }
    }

    /// Skips an array or inline table, over lines, through nested ones, strings and comments.
    fn skip_nested(&mut self) -> Result<(), (usize, String)> {
        let line = self.line();
        let mut depth = 0usize;
        loop {
            let Some(c) = self.rest().chars().next() else {
                return Err((line, "an array or inline table is not closed".into()));
            };
            match c {
                '"' => {
                    self.basic_string()?;
                    continue;
                }
                '\'' => {
                    self.literal_string()?;
                    continue;
                }
                '#' => {
                    self.skip_comment();
                    continue;
                }
                '[' | '{' => depth += 1,
                ']' | '}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.at += 1;
                        return Ok(());
                    }
                }
                _ => {}
            }
            self.at += c.len_utf8();
        }
    }
}

// ----------------------------------------------------------------------------------------------------------
// .editorconfig

/// A parsed `.editorconfig`: whether it is a root, and its sections in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditorConfig {
    pub root: bool,
    /// (glob, properties: lowercased names and values).
    pub sections: Vec<(String, Vec<(String, String)>)>,
}

impl EditorConfig {
    /// Parses an `.editorconfig`; lines it does not understand are ignored, as EditorConfig says.
    pub fn parse(text: &str) -> EditorConfig {
        let mut config = EditorConfig::default();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(glob) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                config.sections.push((glob.to_string(), Vec::new()));
                continue;
            }
            let Some((name, value)) = line.split_once('=') else { continue };
            let name = name.trim().to_ascii_lowercase();
            let value = value.trim().to_ascii_lowercase();
            match config.sections.last_mut() {
                Some((_, properties)) => properties.push((name, value)),
                None if name == "root" => config.root = value == "true",
                None => {}
            }
        }
        config
    }

    /// Applies the sections that match a path relative to this file's directory (`/` separators).
    fn apply(&self, relative: &str, properties: &mut Properties) {
        for (glob, section) in &self.sections {
            if glob_matches(glob, relative) {
                for (name, value) in section {
                    properties.set(name, value);
                }
            }
        }
    }
}

/// The EditorConfig properties that matter here, as strings until the end.
#[derive(Debug, Default)]
struct Properties {
    indent_style: Option<String>,
    indent_size: Option<String>,
    tab_width: Option<String>,
    max_line_length: Option<String>,
}

impl Properties {
    fn set(&mut self, name: &str, value: &str) {
        let slot = match name {
            "indent_style" => &mut self.indent_style,
            "indent_size" => &mut self.indent_size,
            "tab_width" => &mut self.tab_width,
            "max_line_length" => &mut self.max_line_length,
            _ => return,
        };
        *slot = (value != "unset").then(|| value.to_string());
    }

    fn settings(&self) -> Settings {
        let number = |value: &Option<String>| {
            value.as_deref().and_then(|v| v.parse::<usize>().ok()).filter(|&n| n > 0)
        };
        let use_tabs = match self.indent_style.as_deref() {
            Some("tab") => Some(true),
            Some("space") => Some(false),
            _ => None,
        };
        let indent_width = match self.indent_size.as_deref() {
            Some("tab") => number(&self.tab_width),
            Some(_) => number(&self.indent_size),
            None if use_tabs == Some(true) => number(&self.tab_width),
            None => None,
        };
        Settings { indent_width, use_tabs, line_width: number(&self.max_line_length) }
    }
}

/// Whether an EditorConfig section glob matches a relative path. A glob without `/` matches the file name
/// in any directory.
pub fn glob_matches(glob: &str, relative: &str) -> bool {
    let anchored = glob.contains('/');
    let glob = glob.strip_prefix('/').unwrap_or(glob);
    let pattern = if anchored { glob.to_string() } else { format!("**/{glob}") };
    let path: Vec<char> = relative.chars().collect();
    expand_braces(&pattern).iter().any(|alternative| {
        let pattern: Vec<char> = alternative.chars().collect();
        // `**/x` also matches `x` at the top.
        matches_here(&pattern, &path)
            || (alternative.starts_with("**/") && matches_here(&pattern[3..], &path))
    })
}

/// The alternatives of `{a,b}` and `{1..3}` in a glob, at most 256 of them.
fn expand_braces(glob: &str) -> Vec<String> {
    let mut results = vec![String::new()];
    let chars: Vec<char> = glob.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            results.iter_mut().for_each(|r| {
                r.push('\\');
                r.push(chars[i + 1]);
            });
            i += 2;
            continue;
        }
        if c == '{' {
            // The matching close brace, with nesting.
            let mut depth = 0;
            let mut close = None;
            for (j, &d) in chars.iter().enumerate().skip(i) {
                match d {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(j);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            if let Some(close) = close {
                let inner: String = chars[i + 1..close].iter().collect();
                let options = brace_options(&inner);
                if options.len() > 1 || inner.contains("..") {
                    let mut next = Vec::new();
                    for prefix in &results {
                        for option in &options {
                            for expanded in expand_braces(option) {
                                if next.len() < 256 {
                                    next.push(format!("{prefix}{expanded}"));
                                }
                            }
                        }
                    }
                    results = next;
                    i = close + 1;
                    continue;
                }
            }
            // A lone or single-option brace is literal.
            results.iter_mut().for_each(|r| r.push_str("\\{"));
            i += 1;
            continue;
        }
        if c == '}' {
            results.iter_mut().for_each(|r| r.push_str("\\}"));
            i += 1;
            continue;
        }
        results.iter_mut().for_each(|r| r.push(c));
        i += 1;
    }
    results
}

/// The options of a brace's inside: comma-separated at the top level, or a numeric range.
fn brace_options(inner: &str) -> Vec<String> {
    if let Some((from, to)) = inner.split_once("..") {
        if let (Ok(from), Ok(to)) = (from.parse::<i64>(), to.parse::<i64>()) {
            let (low, high) = (from.min(to), from.max(to));
            if high - low < 256 {
                return (low..=high).map(|n| n.to_string()).collect();
            }
        }
    }
    let mut options = vec![String::new()];
    let mut depth = 0;
    for c in inner.chars() {
        match c {
            ',' if depth == 0 => options.push(String::new()),
            _ => {
                if c == '{' {
                    depth += 1;
                } else if c == '}' {
                    depth -= 1;
                }
                options.last_mut().expect("never empty").push(c);
            }
        }
    }
    options
}

/// Backtracking match of `*`, `**`, `?`, `[...]` and escapes. The depth is bounded by the pattern's length.
fn matches_here(pattern: &[char], path: &[char]) -> bool {
    let Some(&first) = pattern.first() else { return path.is_empty() };
    match first {
        '*' if pattern.get(1) == Some(&'*') => {
            let rest = &pattern[2..];
            (0..=path.len()).any(|skip| matches_here(rest, &path[skip..]))
        }
        '*' => {
            let rest = &pattern[1..];
            let limit = path.iter().position(|&c| c == '/').unwrap_or(path.len());
            (0..=limit).any(|skip| matches_here(rest, &path[skip..]))
        }
        '?' => path.first().is_some_and(|&c| c != '/') && matches_here(&pattern[1..], &path[1..]),
        '[' => {
            let Some(close) = pattern.iter().skip(1).position(|&c| c == ']').map(|p| p + 1) else {
                return path.first() == Some(&'[') && matches_here(&pattern[1..], &path[1..]);
            };
            let Some(&c) = path.first() else { return false };
            let (negated, set) = match pattern[1] {
                '!' => (true, &pattern[2..close]),
                _ => (false, &pattern[1..close]),
            };
            let mut inside = false;
            let mut i = 0;
            while i < set.len() {
                if i + 2 < set.len() && set[i + 1] == '-' {
                    inside |= set[i] <= c && c <= set[i + 2];
                    i += 3;
                } else {
                    inside |= set[i] == c;
                    i += 1;
                }
            }
            c != '/' && inside != negated && matches_here(&pattern[close + 1..], &path[1..])
        }
        '\\' if pattern.len() > 1 => {
            path.first() == Some(&pattern[1]) && matches_here(&pattern[2..], &path[1..])
        }
        c => path.first() == Some(&c) && matches_here(&pattern[1..], &path[1..]),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn the_format_table_of_dfls_toml() {
        let text = r#"
# Fabric targets and formatting.
default-target = "dev"

[targets.dev]
workspace = "6f1d"   # a comment
auth = { command = [
  "az", "account", "get-access-token",   # [format] in a comment
  "--resource", "https://api.fabric.microsoft.com",
] }
notes = """
[format]
indent-width = 8
"""

[format]
indent-width = 4
use-tabs = false
"line-width" = 1_00
"#;
        let settings = read_dfls_toml(text).unwrap();
        assert_eq!(
            settings,
            Settings { indent_width: Some(4), use_tabs: Some(false), line_width: Some(100) }
        );
        assert_eq!(read_dfls_toml("format.use-tabs = true\n").unwrap().use_tabs, Some(true));
        assert_eq!(read_dfls_toml("").unwrap(), Settings::default());
    }

    #[test]
    fn mistakes_in_dfls_toml_are_errors_with_their_line() {
        let error = read_dfls_toml("[format]\nindent_width = 4\n").unwrap_err();
        assert_eq!(error.0, 2);
        assert!(error.1.contains("did you mean `indent-width`"), "{}", error.1);
        let error = read_dfls_toml("[format]\nuse-tabs = \"yes\"\n").unwrap_err();
        assert!(error.1.contains("true or false, not a string"), "{}", error.1);
        assert!(read_dfls_toml("[format]\nline-width = 0\n").unwrap_err().1.contains("positive"));
        assert!(read_dfls_toml("[format]\nline-width = 80\nline-width = 90\n")
            .unwrap_err()
            .1
            .contains("twice"));
        assert!(read_dfls_toml("[targets\n").is_err());
        assert!(read_dfls_toml("a = [1, 2\n").is_err());
    }

    #[test]
    fn editorconfig_sections_apply_in_order() {
        let config = EditorConfig::parse(
            "root = true\n[*]\nindent_style = space\nindent_size = 4\n\n[*.{pq,pqm}]\nindent_size = 2\nmax_line_length = 100\n[legacy/**]\nindent_style = tab\nindent_size = tab\ntab_width = 8\nmax_line_length = off\n",
        );
        assert!(config.root);
        let settings = |path: &str| {
            let mut properties = Properties::default();
            config.apply(path, &mut properties);
            properties.settings()
        };
        assert_eq!(
            settings("Sales.Dataflow/mashup.pq"),
            Settings { indent_width: Some(2), use_tabs: Some(false), line_width: Some(100) }
        );
        assert_eq!(
            settings("query.json"),
            Settings { indent_width: Some(4), use_tabs: Some(false), line_width: None }
        );
        assert_eq!(
            settings("legacy/a/x.pq"),
            Settings { indent_width: Some(8), use_tabs: Some(true), line_width: None }
        );
    }

    #[test]
    fn globs() {
        assert!(glob_matches("*", "a/b/c.pq"));
        assert!(glob_matches("*.pq", "a/b/c.pq"));
        assert!(!glob_matches("/*.pq", "a/c.pq"));
        assert!(glob_matches("/*.pq", "c.pq"));
        assert!(glob_matches("a/**/*.pq", "a/b/c/d.pq"));
        assert!(glob_matches("{mashup,query}.pq", "x/query.pq"));
        assert!(glob_matches("file{1..3}.pq", "file2.pq"));
        assert!(!glob_matches("file{1..3}.pq", "file4.pq"));
        assert!(glob_matches("[mq]ashup.p?", "mashup.pq"));
        assert!(!glob_matches("[!m]ashup.pq", "mashup.pq"));
        assert!(glob_matches("mashup.pq", "Sales.Dataflow/mashup.pq"));
        assert!(!glob_matches("*.json", "mashup.pq"));
    }

    struct FakeFs(HashMap<PathBuf, String>);

    impl ConfigFs for FakeFs {
        fn read(&self, path: &Path) -> Option<String> {
            self.0.get(path).cloned()
        }
        fn exists(&self, path: &Path) -> bool {
            self.0.contains_key(path) || self.0.keys().any(|k| k.starts_with(path))
        }
    }

    #[test]
    fn discovery_walks_up_to_the_repository_root() {
        let fs = FakeFs(HashMap::from([
            (PathBuf::from("/dfls.toml"), "[format]\nline-width = 1\n".into()),
            (PathBuf::from("/repo/.git/HEAD"), String::new()),
            (PathBuf::from("/repo/.editorconfig"), "root = true\n[*]\nindent_size = 3\n".into()),
            (PathBuf::from("/repo/items/.editorconfig"), "[*.pq]\nindent_style = tab\n".into()),
        ]));
        let settings = project_settings(Path::new("/repo/items/A.Dataflow/mashup.pq"), &fs).unwrap();
        assert_eq!(settings.toml, Settings::default(), "dfls.toml above the repository is not used");
        assert_eq!(
            settings.editorconfig,
            Settings { indent_width: Some(3), use_tabs: Some(true), line_width: None }
        );
        let options = settings.options(Settings::default(), Settings::from_editor(8, true));
        assert_eq!(options, Options { indent_width: 3, use_tabs: true, line_width: 120 });

        let fs =
            FakeFs(HashMap::from([(PathBuf::from("/repo/dfls.toml"), "[format]\nuse-tabs = 1\n".into())]));
        let error = project_settings(Path::new("/repo/a/b.pq"), &fs).unwrap_err();
        assert_eq!(error.to_string(), "/repo/dfls.toml:2: `use-tabs` must be true or false, not an integer");
    }
}
