//! Fault injection: a real `dfls pull --force` over an existing item folder, killed (SIGKILL) at points
//! spread over its whole run, then the next command (`dfls pack`). After it the folder must be all old or
//! all new, with nothing left of the interrupted update, and the payload `pack` printed must be that
//! folder's. `DFLS_TEST_WRITE_PAUSE_MS` slows each step of the update (a staged file, the commit, a
//! rename) so that the kills land in every phase, not only before the first write.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

use crate::support::*;

/// Every file under `dir` (hidden ones, subfolders and leftovers included), relative path and bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                let relative = entry.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                found.push((relative, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    found.sort();
    found
}

fn restore(dir: &Path, files: &[(String, Vec<u8>)]) {
    let _ = std::fs::remove_dir_all(dir);
    for (path, bytes) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// The parts of a `dfls pack` payload, as (path, bytes), sorted.
fn packed_parts(payload: &[u8]) -> Vec<(String, Vec<u8>)> {
    use base64::Engine as _;
    let payload: serde_json::Value = serde_json::from_slice(payload).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = payload["definition"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|part| {
            let bytes =
                base64::engine::general_purpose::STANDARD.decode(part["payload"].as_str().unwrap()).unwrap();
            (part["path"].as_str().unwrap().to_owned(), bytes)
        })
        .collect();
    parts.sort();
    parts
}

#[test]
fn a_pull_killed_at_any_point_leaves_the_folder_all_old_or_all_new() {
    const RUNS: u64 = 12;
    const PAUSE_MS: &str = "30";
    let repo = Repo::served(quick());
    let item = repo.path(ITEM);
    let old = snapshot(&item);

    // The remote holds a new version: every file changed, and new parts (in a subfolder too).
    let mashup = item.join("mashup.pq");
    let text = std::fs::read_to_string(&mashup).unwrap();
    std::fs::write(&mashup, format!("{text}\n// the new version\n")).unwrap();
    let metadata = item.join("queryMetadata.json");
    let json = std::fs::read_to_string(&metadata).unwrap();
    std::fs::write(&metadata, format!("{json}\n")).unwrap();
    for n in 0..4 {
        std::fs::write(item.join(format!("Extra {n}.mdf")), format!("{{\"n\": {n}}}")).unwrap();
    }
    let pushed = repo.dfls(&["push", ITEM, "--force"]);
    assert_eq!(code(&pushed), 0, "{}", describe(&pushed));
    let remote = {
        let mut remote = snapshot(&item);
        let pulled = repo.dfls(&["pull", ITEM, "--force"]);
        assert_eq!(code(&pulled), 0, "{}", describe(&pulled));
        // Fabric rewrites `.platform`; the new version is what a pull writes.
        remote =
            snapshot(&item).into_iter().filter(|(path, _)| remote.iter().any(|(p, _)| p == path)).collect();
        remote
    };
    // The new folder: the old one with the remote's files over it (a pull removes nothing).
    let mut new = old.clone();
    for (path, bytes) in &remote {
        match new.iter_mut().find(|(p, _)| p == path) {
            Some(file) => file.1 = bytes.clone(),
            None => new.push((path.clone(), bytes.clone())),
        }
    }
    new.sort();
    assert_ne!(old, new);

    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_dfls"))
            .current_dir(repo.dir.path())
            .args(["pull", ITEM, "--force"])
            .env_remove("FABRIC_TOKEN")
            .env_remove("DFLS_LOG")
            .env("DFLS_TEST_WRITE_PAUSE_MS", PAUSE_MS)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long an uninterrupted pull over the old folder takes.
    restore(&item, &old);
    let started = Instant::now();
    assert!(spawn().wait().unwrap().success());
    let whole = started.elapsed();
    assert_eq!(snapshot(&item), new);

    let seed = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut random = seed;
    let (mut olds, mut news, mut interrupted) = (0, 0, 0);
    for run in 0..RUNS {
        restore(&item, &old);
        // One kill in each of RUNS equal slices of the run, at a random point of its slice.
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        let fraction = (run as f64 + (random % 1000) as f64 / 1000.0) / RUNS as f64;
        let mut child = spawn();
        std::thread::sleep(whole.mul_f64(fraction));
        let _ = child.kill();
        let _ = child.wait();
        if item.join(".dfls-update").exists() {
            interrupted += 1;
        }

        let next = repo.dfls(&["pack", ITEM]);
        let context =
            format!("seed {seed:#x}, run {run}, killed at {fraction:.2} of {whole:?}\n{}", describe(&next));
        assert_eq!(code(&next), 0, "{context}");
        let after = snapshot(&item);
        if after == old {
            olds += 1;
        } else if after == new {
            news += 1;
        } else {
            panic!(
                "the folder is neither all old nor all new: {:?}\n{context}",
                after.iter().map(|f| &f.0).collect::<Vec<_>>()
            );
        }
        assert_eq!(packed_parts(&next.stdout), after, "pack printed the folder as it is\n{context}");
    }
    assert!(
        olds > 0 && news > 0,
        "kills before and after the update: {olds} old, {news} new (seed {seed:#x})"
    );
    assert!(interrupted > 0, "at least one kill fell inside the update (seed {seed:#x})");
}
