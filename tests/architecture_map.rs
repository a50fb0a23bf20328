//! The architecture map at the top of `src/lib.rs` is kept true: every module uses only the modules its row
//! says it may use, and the modules the map calls pure name no file system, environment or process API
//! outside their tests (IO is in the edges and in the three places the map names).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The map's rows: module, and the modules it may use (`None`: everything).
fn map() -> BTreeMap<String, Option<BTreeSet<String>>> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let mut rows = BTreeMap::new();
    for line in lib.lines() {
        let Some(row) = line.strip_prefix("//! | [`") else { continue };
        let (name, rest) = row.split_once("`]").unwrap();
        let may_use = rest.trim_end().trim_end_matches('|').rsplit('|').next().unwrap().trim();
        let allowed = (may_use != "everything")
            .then(|| may_use.split('`').skip(1).step_by(2).map(str::to_owned).collect::<BTreeSet<String>>());
        rows.insert(name.to_owned(), allowed);
    }
    assert!(rows.len() >= 14, "the map's rows: {rows:?}");
    rows
}

/// The Rust files of a module, each without its comments and its `#[cfg(test)]` items (a test may reach
/// anything).
fn module_code(name: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let single = src().join(format!("{name}.rs"));
    if single.is_file() {
        files.push(single);
    }
    let mut pending = vec![src().join(name)];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut code = String::new();
            for line in text.lines() {
                // Test items come last in this code base's files: the rest of the file is a test.
                if line.trim_start() == "#[cfg(test)]" {
                    break;
                }
                let line = line.split("//").next().unwrap();
                code.push_str(line);
                code.push('\n');
            }
            (path, code)
        })
        .collect()
}

/// The top-level modules `crate::NAME` names in some code.
fn crate_references(code: &str) -> BTreeSet<String> {
    code.match_indices("crate::")
        .map(|(at, _)| {
            let rest = &code[at + "crate::".len()..];
            rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn every_module_uses_only_what_the_map_allows() {
    let map = map();
    let mut wrong = Vec::new();
    for (module, allowed) in &map {
        let Some(allowed) = allowed else { continue };
        for (path, code) in module_code(module) {
            for used in crate_references(&code) {
                // Any module may check for cancellation; a module uses itself.
                if &used != module && used != "cancel" && !allowed.contains(&used) {
                    wrong.push(format!("{}: uses `{used}`", path.strip_prefix(src()).unwrap().display()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "uses the map in src/lib.rs does not allow:\n{}", wrong.join("\n"));
}

#[test]
fn the_pure_modules_do_no_io() {
    let pure = [
        "text",
        "diagnostics",
        "syntax",
        "json",
        "library",
        "semantics",
        "definition",
        "format",
        "ide",
        "eval",
        "config",
    ];
    // The three places the map names, where IO the edges share happens.
    let named =
        [src().join("definition/folder.rs"), src().join("config.rs"), src().join("eval/sources/local.rs")];
    let io = ["std::fs", "fs::read", "fs::write", "fs::File", "env::var", "Command::new", "stdin()"];
    let mut wrong = Vec::new();
    for module in pure {
        for (path, code) in module_code(module) {
            for api in io {
                if code.contains(api) && !named.contains(&path) {
                    wrong.push(format!("{}: {api}", path.strip_prefix(src()).unwrap().display()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "IO in modules the map calls pure:\n{}", wrong.join("\n"));
    let config = &module_code("config")[0].1;
    assert_eq!(config.matches("std::fs").count(), 1, "config reads files only in RealFs");
}
