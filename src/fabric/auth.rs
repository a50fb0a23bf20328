//! Access tokens: from `FABRIC_TOKEN`, from the Azure CLI, from a command the target configures, or a
//! fixed one for the local Fabric. A token lives in memory only: [`Token`] prints as `Token(***)`, is never
//! logged, never written to a file, and never part of an error message.

use std::fmt;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::error::FabricError;

/// The resource Fabric tokens are issued for.
pub const RESOURCE: &str = "https://api.fabric.microsoft.com";

/// A bearer token. Its `Debug` and `Display` hide it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(secret: impl Into<String>) -> Token {
        Token(secret.into())
    }

    /// The value of an `Authorization` header: the one place the secret is read.
    pub(super) fn header_value(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where tokens come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// The `FABRIC_TOKEN` environment variable.
    Env,
    /// `az account get-access-token --resource https://api.fabric.microsoft.com`.
    AzureCli,
    /// A command whose standard output is the token (or the Azure CLI's JSON with `accessToken`).
    Command(Vec<String>),
    /// A fixed token: the local Fabric accepts any.
    Fixed(Token),
}

impl Auth {
    /// What this source is, for messages.
    pub fn describe(&self) -> String {
        match self {
            Auth::Env => "FABRIC_TOKEN".to_owned(),
            Auth::AzureCli => "the Azure CLI".to_owned(),
            // The program only: its arguments could hold something secret.
            Auth::Command(command) => format!("the command `{}`", command.first().map_or("", String::as_str)),
            Auth::Fixed(_) => "a local token".to_owned(),
        }
    }

    /// Gets a token now (each call asks again: after `TokenExpired`, that is the point).
    pub fn token(&self) -> Result<Token, FabricError> {
        match self {
            Auth::Env => match std::env::var("FABRIC_TOKEN") {
                Ok(token) if !token.trim().is_empty() => Ok(Token(token.trim().to_owned())),
                _ => Err(FabricError::Auth(
                    "FABRIC_TOKEN is not set; set it, or use `auth = \"azure-cli\"` in dfls.toml".to_owned(),
                )),
            },
            Auth::AzureCli => run(&[
                "az".to_owned(),
                "account".to_owned(),
                "get-access-token".to_owned(),
                "--resource".to_owned(),
                RESOURCE.to_owned(),
                "--output".to_owned(),
                "json".to_owned(),
            ]),
            Auth::Command(command) => run(command),
            Auth::Fixed(token) => Ok(token.clone()),
        }
    }
}

/// Runs a token command: its output is a token, or JSON with `accessToken` (the Azure CLI's).
fn run(command: &[String]) -> Result<Token, FabricError> {
    run_within(command, COMMAND_TIMEOUT)
}

/// How long a token command may take: `az` waiting for a login that never comes must not hang dfls.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

fn run_within(command: &[String], timeout: Duration) -> Result<Token, FabricError> {
    let Some((program, args)) = command.split_first() else {
        return Err(FabricError::Config("the token command is empty".to_owned()));
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| FabricError::Auth(format!("could not run `{program}`: {error}")))?;
    // The pipes are read on threads, so a command that writes much cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < timeout => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(FabricError::Auth(format!(
                    "`{program}` did not print a token within {} s (is it waiting for a login?)",
                    timeout.as_secs_f64()
                )));
            }
            Err(error) => {
                return Err(FabricError::Auth(format!("`{program}` could not be waited for: {error}")))
            }
        }
    };
    let output = std::process::Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    };
    if !output.status.success() {
        // The command's own error output explains (az: "Please run 'az login'"); it holds no token.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason: String = stderr.trim().lines().take(3).collect::<Vec<_>>().join(" ");
        return Err(FabricError::Auth(format!("`{program}` failed ({}): {reason}", output.status)));
    }
    token_of_output(&output.stdout).ok_or_else(|| FabricError::Auth(format!("`{program}` printed no token")))
}

/// The token in a command's output.
fn token_of_output(stdout: &[u8]) -> Option<Token> {
    let text = String::from_utf8_lossy(stdout);
    let text = text.trim();
    if text.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let token = value.get("accessToken").or_else(|| value.get("access_token"))?.as_str()?;
        return (!token.is_empty()).then(|| Token(token.to_owned()));
    }
    (!text.is_empty() && !text.contains(char::is_whitespace)).then(|| Token(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_print() {
        let token = Token::new("secret-value");
        assert_eq!(format!("{token:?} {token}"), "Token(***) ***");
        assert!(!format!("{:?}", Auth::Fixed(token)).contains("secret"));
    }

    #[test]
    fn command_output_is_a_token_or_the_azure_cli_json() {
        assert_eq!(token_of_output(b"abc.def\n"), Some(Token::new("abc.def")));
        assert_eq!(
            token_of_output(br#"{"accessToken": "xyz", "expiresOn": "2026-11-28 20:00:00"}"#),
            Some(Token::new("xyz"))
        );
        assert_eq!(token_of_output(b"two words"), None);
        assert_eq!(token_of_output(b""), None);
    }

    #[test]
    fn a_token_command_runs_and_failures_say_why() {
        let auth = Auth::Command(vec!["sh".into(), "-c".into(), "echo tok123".into()]);
        assert_eq!(auth.token().unwrap(), Token::new("tok123"));
        let failing =
            Auth::Command(vec!["sh".into(), "-c".into(), "echo 'please log in' >&2; exit 3".into()]);
        let error = failing.token().unwrap_err().to_string();
        assert!(error.contains("please log in"), "{error}");
        let slow = ["sh".to_owned(), "-c".to_owned(), "sleep 5; echo late".to_owned()];
        let started = Instant::now();
        let error = run_within(&slow, Duration::from_millis(300)).unwrap_err().to_string();
        assert!(error.contains("did not print a token within"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(3), "the command was stopped");
        let missing = Auth::Command(vec!["dfls-no-such-program".into()]);
        assert!(missing.token().unwrap_err().to_string().contains("could not run"));
    }
}
