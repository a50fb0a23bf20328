//! Access tokens: from `FABRIC_TOKEN`, from the Azure CLI, from a command the target configures, or a
//! fixed one for the local Fabric. A token lives in memory only: [`Token`] prints as `Token(***)`, is never
//! logged, never written to a file, and never part of an error message.

use std::fmt;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
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

    /// Whether its tokens are secrets: all but the fixed token of a local Fabric, which accepts any.
    pub fn is_secret(&self) -> bool {
        !matches!(self, Auth::Fixed(_))
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

/// How long the output of a command that has ended may stay open: a process it started in the background
/// can hold the pipe for as long as it lives, and dfls does not wait for it.
const OUTPUT_GRACE: Duration = Duration::from_secs(1);

/// The most of a command's output kept: a token is a few KB, the Azure CLI's JSON a little more.
const OUTPUT_LIMIT: usize = 1 << 20;

/// Runs a token command in a process group of its own, so that on timeout the command and everything it
/// started are killed, not just the command. Its output is read on threads that are never waited for past
/// the deadline: a grandchild that keeps the pipe open cannot hold dfls.
fn run_within(command: &[String], timeout: Duration) -> Result<Token, FabricError> {
    let Some((program, args)) = command.split_first() else {
        return Err(FabricError::Config("the token command is empty".to_owned()));
    };
    let mut process = Command::new(program);
    process.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    own_process_group(&mut process);
    let mut child =
        process.spawn().map_err(|error| FabricError::Auth(format!("could not run `{program}`: {error}")))?;
    let deadline = Instant::now() + timeout;
    // The pipes are read on threads, so a command that writes much cannot block on a full pipe.
    let stdout = Output::read(child.stdout.take());
    let stderr = Output::read(child.stderr.take());
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                kill_all(&mut child);
                return Err(FabricError::Auth(format!(
                    "`{program}` did not print a token within {} s (is it waiting for a login?)",
                    timeout.as_secs_f64()
                )));
            }
            Err(error) => {
                kill_all(&mut child);
                return Err(FabricError::Auth(format!("`{program}` could not be waited for: {error}")));
            }
        }
    };
    let output_deadline = deadline.min(Instant::now() + OUTPUT_GRACE);
    let (stdout, stderr) = (stdout.until(output_deadline), stderr.until(output_deadline));
    if !status.success() {
        // The command's own error output explains (az: "Please run 'az login'"); it holds no token.
        let stderr = String::from_utf8_lossy(&stderr);
        let reason: String = stderr.trim().lines().take(3).collect::<Vec<_>>().join(" ");
        return Err(FabricError::Auth(format!("`{program}` failed ({status}): {reason}")));
    }
    token_of_output(&stdout).ok_or_else(|| FabricError::Auth(format!("`{program}` printed no token")))
}

/// Puts the command in a new process group (its id is the command's process id), which [`kill_all`]
/// kills whole.
#[cfg(unix)]
fn own_process_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

#[cfg(not(unix))]
fn own_process_group(_command: &mut Command) {}

/// Kills a command that is out of time and every process of its group, and reaps it.
fn kill_all(child: &mut Child) {
    #[cfg(unix)]
    {
        use rustix::process::{kill_process_group, Pid, Signal};
        // The group may be gone already, or the command may have left it: then kill the command alone.
        let _ = kill_process_group(Pid::from_child(child), Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A pipe read to its end on a thread of its own.
struct Output {
    bytes: Arc<Mutex<Vec<u8>>>,
    ended: mpsc::Receiver<()>,
}

impl Output {
    fn read(pipe: Option<impl Read + Send + 'static>) -> Output {
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let (send_end, ended) = mpsc::channel();
        let shared = Arc::clone(&bytes);
        std::thread::spawn(move || {
            if let Some(mut pipe) = pipe {
                let mut buffer = [0u8; 8192];
                while let Ok(read @ 1..) = pipe.read(&mut buffer) {
                    let mut bytes = shared.lock().unwrap_or_else(PoisonError::into_inner);
                    let room = OUTPUT_LIMIT.saturating_sub(bytes.len());
                    bytes.extend_from_slice(&buffer[..read.min(room)]);
                }
            }
            let _ = send_end.send(());
        });
        Output { bytes, ended }
    }

    /// What was read when the pipe closed, or at `deadline` if it is still open then (the thread is left
    /// to end with the pipe).
    fn until(self, deadline: Instant) -> Vec<u8> {
        let _ = self.ended.recv_timeout(deadline.saturating_duration_since(Instant::now()));
        std::mem::take(&mut *self.bytes.lock().unwrap_or_else(PoisonError::into_inner))
    }
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

    /// The process id a test command wrote into `file`, once it is there.
    #[cfg(unix)]
    fn pid_in(file: &std::path::Path) -> String {
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            if text.ends_with('\n') || started.elapsed() > Duration::from_secs(10) {
                return text.trim().to_owned();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether a process is gone (or dead and waiting to be reaped by whoever adopted it).
    #[cfg(target_os = "linux")]
    fn is_gone(pid: &str) -> bool {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // `pid (comm) S ...`: the state follows the last `)`.
        stat.rsplit(')')
            .next()
            .is_none_or(|rest| rest.trim_start().starts_with(['Z', 'X']) || stat.is_empty())
    }

    #[cfg(unix)]
    #[test]
    fn a_grandchild_holding_the_output_does_not_hold_dfls() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        // The command prints its token and ends, leaving a process that keeps its standard output open.
        let script = format!("sleep 30 & echo $! > '{}'; echo tok456", pid_file.display());
        let started = Instant::now();
        let token = run_within(&["sh".into(), "-c".into(), script], Duration::from_secs(20));
        let elapsed = started.elapsed();
        let _ = Command::new("kill").arg(pid_in(&pid_file)).status();
        assert_eq!(token.unwrap(), Token::new("tok456"));
        assert!(elapsed < Duration::from_secs(10), "did not wait for the grandchild: {elapsed:?}");
    }

    #[cfg(unix)]
    #[test]
    fn on_timeout_the_whole_process_group_is_killed() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        // Neither the command nor the process it starts ever ends by itself; both hold the output.
        let script = format!("sleep 30 & echo $! > '{}'; wait", pid_file.display());
        let started = Instant::now();
        let error = run_within(&["sh".into(), "-c".into(), script], Duration::from_millis(500)).unwrap_err();
        let elapsed = started.elapsed();
        let grandchild = pid_in(&pid_file);
        assert!(error.to_string().contains("did not print a token within 0.5 s"), "{error}");
        assert!(elapsed < Duration::from_secs(10), "ended at the timeout: {elapsed:?}");
        #[cfg(target_os = "linux")]
        {
            let killed = Instant::now();
            while !is_gone(&grandchild) && killed.elapsed() < Duration::from_secs(5) {
                std::thread::sleep(Duration::from_millis(20));
            }
            let gone = is_gone(&grandchild);
            let _ = Command::new("kill").arg(&grandchild).status();
            assert!(gone, "the grandchild {grandchild} was killed with the command");
        }
    }
}
