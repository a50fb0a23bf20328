//! Fabric targets: which API, which workspace, which token. `dfls.toml` at the repository root names them
//! (`[targets.NAME]` with `workspace`, `api`, `auth`, and `default-target`); `--target`, `--workspace` and
//! `--api` override; with no configuration the target is `local`, the embedded local Fabric whose state
//! is in `.dfls/local-fabric/` of the repository.
//!
//! [`connect`] turns a target into a [`Connection`]: a client, the workspace id (a display name is
//! looked up), and for an embedded target the emulator serving on a loopback port for as long as the
//! connection lives.

use std::path::{Path, PathBuf};

use super::auth::{Auth, Token};
use super::client::Client;
use super::error::FabricError;
use super::http::{Http, Policy};
use crate::config::{self, AuthTable, DflsToml, RealFs, TargetTable};

/// The name of the configuration file.
pub const CONFIG_FILE: &str = config::DFLS_TOML;
/// `api = "embedded"`: the in-process local Fabric.
pub const EMBEDDED: &str = "embedded";
/// The real Fabric API.
pub const FABRIC_API: &str = "https://api.fabric.microsoft.com/v1";
/// Where the embedded local Fabric keeps its state, under the repository root.
pub const LOCAL_STATE: &str = ".dfls/local-fabric";
/// The target name used when nothing is configured.
pub const LOCAL: &str = "local";

/// The targets of a repository.
#[derive(Debug, Clone)]
pub struct Config {
    /// The repository root: the folder of `dfls.toml`, else of `.git`, else the nearest folder above that keeps
    /// a local Fabric's state, else where the search started.
    pub root: PathBuf,
    /// The `dfls.toml` read, if any.
    pub path: Option<PathBuf>,
    file: DflsToml,
}

/// What the command line overrides.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub target: Option<String>,
    pub workspace: Option<String>,
}

/// Where a target's API is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Api {
    /// The local Fabric in this process, with its state in this folder.
    Embedded(PathBuf),
    Url(String),
}

/// A resolved target.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub api: Api,
    /// A workspace id or display name; `None` for the local Fabric's default workspace.
    pub workspace: Option<String>,
    pub auth: Auth,
}

impl Target {
    /// What the target is, for the line every command prints first.
    pub fn describe(&self) -> String {
        let workspace = self.workspace.as_deref().map(|w| format!(", workspace {w}")).unwrap_or_default();
        match &self.api {
            Api::Embedded(dir) => format!(
                "target `{}`: the local Fabric (embedded, state in {}){workspace}",
                self.name,
                dir.display()
            ),
            Api::Url(url) => {
                format!("target `{}`: {url}{workspace} (token from {})", self.name, self.auth.describe())
            }
        }
    }
}

impl Config {
    /// Finds and reads `dfls.toml` from `start` upwards (not above the folder holding `.git`).
    pub fn load(start: &Path) -> Result<Config, FabricError> {
        let start = if start.is_absolute() {
            start.to_path_buf()
        } else {
            std::env::current_dir().map_err(|e| FabricError::Io(e.to_string()))?.join(start)
        };
        let start = start.canonicalize().unwrap_or(start);
        let project =
            config::load(&start, &RealFs).map_err(|error| FabricError::Config(error.to_string()))?;
        if let Some(root) = project.root {
            return Ok(Config { root, path: project.path, file: project.file });
        }
        // No repository: the folder itself, or the one holding it when it is an item folder (the local
        // Fabric's state must not land inside an item, where it would be pushed or reported as a stray).
        let is_item = start.extension().is_some_and(|e| e == "Dataflow")
            || start.join(crate::definition::parts::MASHUP).is_file()
            || start.join(crate::definition::parts::QUERY_METADATA).is_file();
        let root = match start.parent() {
            Some(parent) if is_item => parent.to_path_buf(),
            _ => start,
        };
        // A folder below one that already keeps a local Fabric shares it, rather than starting an empty one.
        let root = root
            .ancestors()
            .find(|dir| dir.join(LOCAL_STATE).join(crate::emulator::STORE_FILE).is_file())
            .map_or(root.clone(), Path::to_path_buf);
        Ok(Config { root, path: None, file: DflsToml::default() })
    }

    /// The target to use.
    pub fn target(&self, overrides: &Overrides) -> Result<Target, FabricError> {
        let name = overrides
            .target
            .clone()
            .or_else(|| self.file.default_target.clone())
            .unwrap_or_else(|| LOCAL.to_owned());
        let config = match self.file.targets.get(&name) {
            Some(config) => config.clone(),
            None if name == LOCAL => TargetTable { api: Some(EMBEDDED.to_owned()), ..TargetTable::default() },
            None => {
                let known: Vec<&str> = self.file.targets.keys().map(String::as_str).collect();
                return Err(FabricError::Config(format!(
                    "there is no target `{name}` in {}; the targets are: {}",
                    self.path.as_ref().map_or_else(|| CONFIG_FILE.to_owned(), |p| p.display().to_string()),
                    if known.is_empty() { format!("`{LOCAL}` (the local Fabric)") } else { known.join(", ") }
                )));
            }
        };
        let api = match config.api.as_deref() {
            Some(EMBEDDED) => Api::Embedded(self.root.join(LOCAL_STATE)),
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Api::Url(url.trim_end_matches('/').to_owned())
            }
            Some(other) => {
                return Err(FabricError::Config(format!(
                    "target `{name}`: `api` must be \"embedded\" or an http(s) URL, not `{other}`"
                )))
            }
            None => Api::Url(FABRIC_API.to_owned()),
        };
        let auth = match (&api, config.auth) {
            (Api::Embedded(_), _) => Auth::Fixed(Token::new("local")),
            (_, Some(AuthTable::Named(named))) => match named.as_str() {
                "azure-cli" => Auth::AzureCli,
                "env" => Auth::Env,
                "none" => Auth::Fixed(Token::new("local")),
                other => {
                    return Err(FabricError::Config(format!(
                        "target `{name}`: `auth` must be \"azure-cli\", \"env\", \"none\" or {{ command = [...] }}, not `{other}`"
                    )))
                }
            },
            (_, Some(AuthTable::Command { command })) => Auth::Command(command),
            (_, None) if std::env::var_os("FABRIC_TOKEN").is_some() => Auth::Env,
            (_, None) => Auth::AzureCli,
        };
        let workspace = overrides.workspace.clone().or(config.workspace);
        if workspace.is_none() && matches!(api, Api::Url(_)) {
            return Err(FabricError::Config(format!(
                "target `{name}` names no workspace: add `workspace = \"<id or name>\"` to [targets.{name}] or pass --workspace"
            )));
        }
        Ok(Target { name, api, workspace, auth })
    }
}

/// A live connection to a target.
#[derive(Debug)]
pub struct Connection {
    pub target: Target,
    pub client: Client,
    /// The workspace id.
    pub workspace: String,
    /// The embedded emulator, served while the connection lives.
    _embedded: Option<crate::emulator::Embedded>,
}

/// The settings of the embedded local Fabric: the defaults, with the clock sped up by `DFLS_CLOCK_SPEED`.
fn embedded_options() -> Result<crate::emulator::Options, FabricError> {
    use crate::emulator::clock;
    let mut options = crate::emulator::Options::default();
    if let Ok(text) = std::env::var(clock::SPEED_VARIABLE) {
        options.clock_speed = clock::speed(&text)
            .map_err(|message| FabricError::Config(format!("{}: {message}", clock::SPEED_VARIABLE)))?;
    }
    Ok(options)
}

/// Connects to a target: starts the embedded local Fabric if that is the target, and resolves the workspace.
pub fn connect(target: Target, policy: Policy) -> Result<Connection, FabricError> {
    let (base, embedded) = match &target.api {
        Api::Embedded(dir) => {
            let embedded = crate::emulator::Embedded::start(dir, embedded_options()?)
                .map_err(|error| FabricError::Config(format!("the local Fabric could not start: {error}")))?;
            (embedded.base_url(), Some(embedded))
        }
        Api::Url(url) => (url.clone(), None),
    };
    let client = Client::new(Http::new(&base, target.auth.clone(), policy)?);
    let workspace = match &target.workspace {
        None => crate::emulator::DEFAULT_WORKSPACE_ID.to_owned(),
        Some(id) if crate::definition::guid::is_guid(id) => id.clone(),
        Some(name) => {
            let workspaces = client.workspaces()?;
            workspaces.iter().find(|w| &w.display_name == name).map(|w| w.id.clone()).ok_or_else(|| {
                FabricError::Config(format!(
                    "no workspace named `{name}` at {base}; the workspaces are: {}",
                    workspaces.iter().map(|w| w.display_name.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })?
        }
    };
    Ok(Connection { target, client, workspace, _embedded: embedded })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config {
            root: PathBuf::from("/repo"),
            path: Some(PathBuf::from("/repo/dfls.toml")),
            file: config::parse(text, "dfls.toml").unwrap(),
        }
    }

    #[test]
    fn no_configuration_means_the_local_fabric() {
        let target = config("").target(&Overrides::default()).unwrap();
        assert_eq!(target.name, "local");
        assert_eq!(target.api, Api::Embedded(PathBuf::from("/repo/.dfls/local-fabric")));
        assert!(target.describe().contains("local Fabric"));
    }

    #[test]
    fn targets_come_from_dfls_toml_and_the_command_line_overrides() {
        let text = r#"
default-target = "dev"
[format]
indent-width = 4
[targets.dev]
workspace = "6f1d0000-0000-4000-8000-000000000001"
auth = "azure-cli"
[targets.ci]
workspace = "CI workspace"
api = "http://127.0.0.1:7777/v1/"
auth = { command = ["get-token", "--fabric"] }
[targets.local]
api = "embedded"
"#;
        let config = config(text);
        let dev = config.target(&Overrides::default()).unwrap();
        assert_eq!(
            (dev.name.as_str(), &dev.api, &dev.auth),
            ("dev", &Api::Url(FABRIC_API.into()), &Auth::AzureCli)
        );
        let ci = config.target(&Overrides { target: Some("ci".into()), workspace: None }).unwrap();
        assert_eq!(ci.api, Api::Url("http://127.0.0.1:7777/v1".into()));
        assert_eq!(ci.auth, Auth::Command(vec!["get-token".into(), "--fabric".into()]));
        assert_eq!(ci.workspace.as_deref(), Some("CI workspace"));
        let other = config.target(&Overrides { target: None, workspace: Some("Other".into()) }).unwrap();
        assert_eq!(other.workspace.as_deref(), Some("Other"));
        assert!(matches!(
            config.target(&Overrides { target: Some("local".into()), workspace: None }).unwrap().api,
            Api::Embedded(_)
        ));
    }

    #[test]
    fn outside_a_repository_the_state_is_beside_the_item_not_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let item = dir.path().join("Sales.Dataflow");
        std::fs::create_dir(&item).unwrap();
        let root = dir.path().canonicalize().unwrap();
        assert_eq!(Config::load(&item).unwrap().root, root);
        assert_eq!(Config::load(dir.path()).unwrap().root, root);
        std::fs::write(item.join("dfls.toml"), "default-target = \"local\"\n").unwrap();
        assert_eq!(Config::load(&item).unwrap().root, item.canonicalize().unwrap(), "a dfls.toml decides");
    }

    #[test]
    fn mistakes_are_named() {
        let unknown =
            config("").target(&Overrides { target: Some("prod".into()), workspace: None }).unwrap_err();
        assert!(unknown.to_string().contains("no target `prod`"), "{unknown}");
        let no_workspace = config("[targets.dev]\nauth = \"env\"\n")
            .target(&Overrides { target: Some("dev".into()), workspace: None })
            .unwrap_err();
        assert!(no_workspace.to_string().contains("names no workspace"), "{no_workspace}");
        let bad_auth = config("[targets.dev]\nworkspace = \"w\"\nauth = \"password\"\n")
            .target(&Overrides { target: Some("dev".into()), workspace: None })
            .unwrap_err();
        assert!(bad_auth.to_string().contains("`auth` must be"), "{bad_auth}");
    }
}
