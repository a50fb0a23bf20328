//! The project's configuration file, `dfls.toml`: found by one upward search and read by one reader, for
//! the formatter (`[format]`), the Fabric client (`default-target`, `[targets.NAME]`) and `dfls eval`
//! (`[eval]`) alike.
//!
//! The file is the first `dfls.toml` found walking up from a folder, not above the folder that holds
//! `.git` (the repository root). It is read with the `toml` crate into [`DflsToml`], every table closed:
//! an unknown key or table anywhere (`[format.extra]`, `[target.dev]`, `workspce = ...`) is an error, as is
//! a value of the wrong type or out of range, each with the line and column it is at. Any valid TOML
//! spelling is accepted (`format = { indent-width = 4 }`, `format.use-tabs = true`, `0x4`, `1_00`).
//!
//! Pure but for [`RealFs`]: the search goes through the [`ConfigFs`] the caller passes, and `RealFs`, the
//! file system, is the one implementation the edges (the command line, the language server, the Fabric
//! client) share.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use crate::text::LineIndex;

/// The project configuration file.
pub const DFLS_TOML: &str = "dfls.toml";

/// The file system as configuration discovery sees it.
pub trait ConfigFs {
    /// The text of a file: `None` when there is no such file, an error when it is there but unreadable.
    fn read(&self, path: &Path) -> Option<std::io::Result<String>>;
    /// Whether a path exists (used for `.git`, the repository root).
    fn exists(&self, path: &Path) -> bool;
}

/// The real file system.
pub struct RealFs;

impl ConfigFs for RealFs {
    fn read(&self, path: &Path) -> Option<std::io::Result<String>> {
        path.is_file().then(|| std::fs::read_to_string(path))
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }
}

/// A configuration file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, as the caller named it.
    pub path: String,
    /// 1-based line and column, when the problem is at a place in the file (not when it is unreadable).
    pub at: Option<(u32, u32)>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// `dfls.toml`, all of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DflsToml {
    /// The target used when `--target` names none.
    #[serde(default)]
    pub default_target: Option<String>,
    #[serde(default)]
    pub targets: BTreeMap<String, TargetTable>,
    #[serde(default)]
    pub format: FormatTable,
    #[serde(default)]
    pub eval: EvalTable,
}

/// `[eval]`: what `dfls eval` may read beyond this machine's files (see `eval::sources::local`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct EvalTable {
    /// The local lakehouse: a folder of `<workspaceId>/<lakehouseId>/Tables/<table>` Delta tables
    /// (relative to the dfls.toml), what `Lakehouse.Contents` reads.
    #[serde(default)]
    pub lakehouse: Option<String>,
    /// The URL prefixes `Web.Contents` may fetch.
    #[serde(default)]
    pub web: Vec<String>,
}

/// `[format]`: how M is formatted (see `format::options`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FormatTable {
    #[serde(default)]
    pub indent_width: Option<Width>,
    #[serde(default)]
    pub use_tabs: Option<bool>,
    #[serde(default)]
    pub line_width: Option<Width>,
}

/// A width in columns: a positive integer, at most a million (a larger one is surely a mistake).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Width(pub usize);

impl<'de> Deserialize<'de> for Width {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Width, D::Error> {
        let n = i64::deserialize(deserializer)?;
        match usize::try_from(n) {
            Ok(n) if (1..=1_000_000).contains(&n) => Ok(Width(n)),
            _ => Err(serde::de::Error::custom(format!(
                "a width must be an integer from 1 to 1000000, not {n}"
            ))),
        }
    }
}

/// `[targets.NAME]`: a Fabric target (see `fabric::target`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetTable {
    #[serde(default)]
    pub workspace: Option<String>,
    #[serde(default)]
    pub api: Option<String>,
    #[serde(default)]
    pub auth: Option<AuthTable>,
}

/// A target's `auth`: a name (`"azure-cli"`, `"env"`, `"none"`) or `{ command = [...] }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(
    untagged,
    expecting = "`auth` must be \"azure-cli\", \"env\", \"none\" or { command = [\"program\", ...] }"
)]
pub enum AuthTable {
    Named(String),
    Command { command: Vec<String> },
}

/// Reads the text of a `dfls.toml`; `path` names it in an error.
pub fn parse(text: &str, path: &str) -> Result<DflsToml, ConfigError> {
    toml::from_str::<DflsToml>(text).map_err(|error| {
        let at = error.span().map(|span| {
            let at = LineIndex::new(text).line_column(text, span.start);
            (at.line, at.column)
        });
        ConfigError { path: path.to_owned(), at, message: error.message().trim().to_owned() }
    })
}

/// The configuration of the project a folder is in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    /// The folder of the `dfls.toml` found, else of `.git`; `None` when the search found neither.
    pub root: Option<PathBuf>,
    /// The `dfls.toml` read, if any.
    pub path: Option<PathBuf>,
    pub file: DflsToml,
}

/// Finds and reads the `dfls.toml` of the project `folder` (absolute) is in: the first one walking up,
/// not above the folder holding `.git`.
pub fn load(folder: &Path, fs: &dyn ConfigFs) -> Result<Project, ConfigError> {
    for dir in folder.ancestors() {
        let candidate = dir.join(DFLS_TOML);
        if let Some(read) = fs.read(&candidate) {
            let shown = candidate.display().to_string();
            let text = read.map_err(|error| ConfigError {
                path: shown.clone(),
                at: None,
                message: error.to_string(),
            })?;
            let file = parse(&text, &shown)?;
            return Ok(Project { root: Some(dir.to_path_buf()), path: Some(candidate), file });
        }
        if fs.exists(&dir.join(".git")) {
            return Ok(Project { root: Some(dir.to_path_buf()), ..Project::default() });
        }
    }
    Ok(Project::default())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(text: &str) -> Result<DflsToml, String> {
        parse(text, "dfls.toml").map_err(|error| error.to_string())
    }

    #[test]
    fn the_eval_table_names_the_lakehouse_and_the_web_prefixes() {
        let file =
            read("[eval]\nlakehouse = \"data/lakehouse\"\nweb = [\"http://127.0.0.1:8080/api\"]\n").unwrap();
        assert_eq!(file.eval.lakehouse.as_deref(), Some("data/lakehouse"));
        assert_eq!(file.eval.web, vec!["http://127.0.0.1:8080/api".to_owned()]);
        assert_eq!(read("").unwrap().eval, EvalTable::default());
        let error = read("[eval]\nlakehuose = \"x\"\n").unwrap_err();
        assert!(error.starts_with("dfls.toml:2:1: unknown field `lakehuose`"), "{error}");
        let error = read("[eval]\nweb = \"http://x\"\n").unwrap_err();
        assert!(error.starts_with("dfls.toml:2:7:"), "{error}");
    }

    #[test]
    fn every_toml_spelling_of_the_format_table() {
        let four = FormatTable { indent_width: Some(Width(4)), ..FormatTable::default() };
        for text in [
            "[format]\nindent-width = 4\n",
            "format = { indent-width = 4 }\n",
            "format.indent-width = 4\n",
            "[format]\n\"indent-width\" = 0x4\n",
            "[format]\nindent-width = 0o4 # octal\n",
            "[format]\nindent-width = +4\n",
        ] {
            assert_eq!(read(text).map(|file| file.format), Ok(four), "{text}");
        }
        let text = r#"
# Fabric targets and formatting.
default-target = "dev"

[targets.dev]
workspace = "6f1d"   # a comment
auth = { command = [
  "az", "account", "get-access-token",   # [format] in a comment
  "--resource", "https://api.fabric.microsoft.com",
] }

[format]
use-tabs = false
"line-width" = 1_00
"#;
        let file = read(text).unwrap();
        assert_eq!(
            file.format,
            FormatTable { indent_width: None, use_tabs: Some(false), line_width: Some(Width(100)) }
        );
        assert_eq!(file.default_target.as_deref(), Some("dev"));
        assert_eq!(
            file.targets["dev"].auth.as_ref().map(|a| matches!(a, AuthTable::Command { .. })),
            Some(true)
        );
        assert_eq!(read("").unwrap(), DflsToml::default());
    }

    #[test]
    fn mistakes_are_errors_at_their_line_and_column() {
        let error = read("[format]\nindent_width = 4\n").unwrap_err();
        assert!(error.starts_with("dfls.toml:2:1: unknown field `indent_width`"), "{error}");
        assert!(error.contains("`indent-width`"), "the keys are listed: {error}");
        let error = read("[format]\nindent-width = 2\n\n[format.extra]\nx = 1\n").unwrap_err();
        assert!(error.starts_with("dfls.toml:4:") && error.contains("unknown field `extra`"), "{error}");
        let error = read("[target.dev]\nworkspace = \"w\"\n").unwrap_err();
        assert!(error.starts_with("dfls.toml:1:2: unknown field `target`"), "{error}");
        let error = read("[targets.dev]\nworkspce = \"w\"\n").unwrap_err();
        assert!(error.starts_with("dfls.toml:2:1: unknown field `workspce`"), "{error}");
        let error = read("[format]\nuse-tabs = \"yes\"\n").unwrap_err();
        assert!(
            error.starts_with("dfls.toml:2:12: invalid type: string \"yes\", expected a boolean"),
            "{error}"
        );
        let error = read("[format]\nline-width = 0\n").unwrap_err();
        assert_eq!(error, "dfls.toml:2:14: a width must be an integer from 1 to 1000000, not 0");
        let error = read("[format]\nline-width = 4.5\n").unwrap_err();
        assert!(error.starts_with("dfls.toml:2:14: invalid type: floating point"), "{error}");
        let error = read("[format]\nline-width = 80\nline-width = 90\n").unwrap_err();
        assert!(error.starts_with("dfls.toml:3:1: duplicate key"), "{error}");
        let error = read("[targets.dev]\nworkspace = \"w\"\nauth = 3\n").unwrap_err();
        assert!(error.starts_with("dfls.toml:3:8: ") && error.contains("\"azure-cli\""), "{error}");
        assert!(read("[targets\n").unwrap_err().starts_with("dfls.toml:1:"));
        assert!(read("a = [1, 2\n").is_err());
    }

    struct FakeFs(HashMap<PathBuf, String>);

    impl ConfigFs for FakeFs {
        fn read(&self, path: &Path) -> Option<std::io::Result<String>> {
            self.0.get(path).cloned().map(Ok)
        }
        fn exists(&self, path: &Path) -> bool {
            self.0.keys().any(|k| k.starts_with(path))
        }
    }

    #[test]
    fn the_search_stops_at_the_repository_root() {
        let fs = FakeFs(HashMap::from([
            (PathBuf::from("/dfls.toml"), "[format]\nline-width = 1\n".into()),
            (PathBuf::from("/repo/.git/HEAD"), String::new()),
        ]));
        let project = load(Path::new("/repo/items/A.Dataflow"), &fs).unwrap();
        assert_eq!(project, Project { root: Some(PathBuf::from("/repo")), ..Project::default() });
        let project = load(Path::new("/elsewhere/a"), &fs).unwrap();
        assert_eq!(project.path, Some(PathBuf::from("/dfls.toml")));
        assert_eq!(project.root, Some(PathBuf::from("/")));
        assert_eq!(project.file.format.line_width, Some(Width(1)));

        let fs = FakeFs(HashMap::from([
            (PathBuf::from("/repo/.git/HEAD"), String::new()),
            (PathBuf::from("/repo/dfls.toml"), "[format]\nuse-tabs = 1\n".into()),
            (PathBuf::from("/repo/items/dfls.toml"), "default-target = \"dev\"\n".into()),
        ]));
        let project = load(Path::new("/repo/items/A.Dataflow"), &fs).unwrap();
        assert_eq!(project.root, Some(PathBuf::from("/repo/items")), "the nearest file wins");
        let error = load(Path::new("/repo/other"), &fs).unwrap_err();
        assert_eq!(error.to_string(), "/repo/dfls.toml:2:12: invalid type: integer `1`, expected a boolean");
        assert_eq!(load(Path::new("/nowhere"), &FakeFs(HashMap::new())).unwrap(), Project::default());
    }
}
