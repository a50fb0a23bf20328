//! Where a project says how its M is formatted: the `[format]` table of `dfls.toml` and `.editorconfig`.
//!
//! `dfls.toml` is found and read by [`crate::config`], the one reader of that file; its `[format]` table
//! takes `indent-width` (integer), `use-tabs` (boolean) and `line-width` (integer), and anything else there
//! is an error with its line and column, so a typo does not pass silently.
//!
//! `.editorconfig` files are read as EditorConfig defines: from the file's directory up to one that says
//! `root = true`, nearer files winning, later sections winning within a file; `indent_style`,
//! `indent_size` (`tab` meaning `tab_width`), `tab_width` and `max_line_length` (`off` leaves the width
//! to the next source) apply, `unset` clears. Globs: `*`, `**`, `?`, `[abc]`, `[!abc]`, `{a,b}`, `{1..3}`.
//! The M inside a legacy `dataflow-content.json` takes the properties of a `mashup.pq` beside it.
//! (The `ec4rs` crate was weighed for this and left: its 1.2 release reads a one-character negated class,
//! `[!m]`, as the character itself, and stops at the first line it does not understand.)
//!
//! The readers are pure; [`project_settings`] walks directories through the [`ConfigFs`] its caller
//! passes ([`RealFs`] at the edges: the command line, the language server).

use std::path::{Path, PathBuf};

use super::options::{Options, Settings};
pub use crate::config::{ConfigError, ConfigFs, RealFs, DFLS_TOML};

/// The EditorConfig file.
pub const EDITORCONFIG: &str = ".editorconfig";

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
    let project = crate::config::load(directory, fs)?;
    let format = project.file.format;
    settings.toml = Settings {
        indent_width: format.indent_width.map(|width| width.0),
        use_tabs: format.use_tabs,
        line_width: format.line_width.map(|width| width.0),
    };
    settings.toml_path = project.path;
    // .editorconfig: nearer files win, so collect up to a root one, then apply from the farthest.
    let mut found = Vec::new();
    for dir in directory.ancestors() {
        if let Some(Ok(text)) = fs.read(&dir.join(EDITORCONFIG)) {
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
        fn read(&self, path: &Path) -> Option<std::io::Result<String>> {
            self.0.get(path).cloned().map(Ok)
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
        assert_eq!(error.to_string(), "/repo/dfls.toml:2:12: invalid type: integer `1`, expected a boolean");
    }
}
