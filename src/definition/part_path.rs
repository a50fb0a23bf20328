//! The rules every part path of a definition follows before anything is written for it: one spelling
//! per file, inside the item folder, and no two parts claiming the same place.
//!
//! A part path is relative and POSIX (`mashup.pq`, `sub/MDF transform.mdf`), as Fabric's Git integration
//! and `getDefinition` write them. Empty and `.` segments are spelled away (`./mashup.pq` and
//! `sub//x.pq` are `mashup.pq` and `sub/x.pq`); a path that would leave the folder or reach into version
//! control is refused; and a set of paths is refused when two of them name one file (after that spelling,
//! or differing only in case, which is one file on Windows and macOS) or one needs as a folder what
//! another is as a file (`a` and `a/b`). Pure: strings in, problems out.

use std::collections::HashMap;

/// The folder inside an item folder where dfls stages an update of its files (see
/// [`super::folder`]); no part may live there.
pub const STAGING_FOLDER: &str = ".dfls-update";

/// Why a part path is refused by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsafe {
    /// Nothing but slashes and dots.
    Empty,
    /// Starts with `/`: the part would be written wherever that is.
    Absolute,
    /// A `..` segment climbs out of the item folder.
    Parent,
    /// A `\`, a `:` (a Windows drive or an NTFS stream) or a control character: not a portable file name.
    NotPortable,
    /// Under `.git/` (a hook would run on the next commit) or dfls's own staging folder.
    Reserved,
}

impl Unsafe {
    /// Why, in words, for an error message that names the path before it.
    pub fn reason(self) -> &'static str {
        match self {
            Unsafe::Empty => "names no file",
            Unsafe::Absolute => "is absolute; part paths are relative to the item folder",
            Unsafe::Parent => "climbs out of the item folder with `..`",
            Unsafe::NotPortable => {
                "holds a `\\`, a `:` or a control character, which no portable file name has"
            }
            Unsafe::Reserved => "is inside `.git/` or dfls's staging folder, where no part may be written",
        }
    }
}

/// The one spelling of a part path: segments joined by single slashes, without empty or `.` segments.
/// `Err` when the path is not safe to write inside an item folder.
pub fn normalize(path: &str) -> Result<String, Unsafe> {
    if path.starts_with('/') {
        return Err(Unsafe::Absolute);
    }
    let mut segments = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(Unsafe::Parent),
            s if s.chars().any(|c| c == '\\' || c == ':' || c.is_control()) => {
                return Err(Unsafe::NotPortable)
            }
            s if s.eq_ignore_ascii_case(".git") || s.eq_ignore_ascii_case(STAGING_FOLDER) => {
                return Err(Unsafe::Reserved)
            }
            s => segments.push(s),
        }
    }
    if segments.is_empty() {
        return Err(Unsafe::Empty);
    }
    Ok(segments.join("/"))
}

/// How two part paths of one set clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clash {
    /// Both name the same file (after [`normalize`], or differing only in case).
    SameFile,
    /// The earlier one is a file where the later one needs a folder, or the other way round.
    FileAndFolder,
}

/// A clash between the paths at two indexes of a set; `first` comes before `second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conflict {
    pub first: usize,
    pub second: usize,
    pub clash: Clash,
}

impl Conflict {
    /// The conflict in words, naming both paths as given.
    pub fn describe(&self, paths: &[&str]) -> String {
        let (first, second) = (paths[self.first], paths[self.second]);
        match self.clash {
            Clash::SameFile => format!("the parts `{first}` and `{second}` are the same file"),
            Clash::FileAndFolder => {
                format!("the parts `{first}` and `{second}` need the same path as a file and as a folder")
            }
        }
    }
}

/// Every clash in a set of normalized part paths, each reported once, at the later path of the two. Paths
/// are compared without regard to case, as Windows and macOS file systems do. One hash lookup per folder
/// of each path.
pub fn conflicts(normalized: &[&str]) -> Vec<Conflict> {
    // The first path that is each file (case folded), and the first path that needs each folder.
    let mut files: HashMap<String, usize> = HashMap::new();
    let mut folders: HashMap<String, usize> = HashMap::new();
    let mut found = Vec::new();
    for (index, path) in normalized.iter().enumerate() {
        let folded = path.to_lowercase();
        if let Some(&first) = files.get(&folded) {
            found.push(Conflict { first, second: index, clash: Clash::SameFile });
            continue;
        }
        if let Some(&first) = folders.get(&folded) {
            found.push(Conflict { first, second: index, clash: Clash::FileAndFolder });
            continue;
        }
        let ancestors: Vec<&str> = folded.match_indices('/').map(|(at, _)| &folded[..at]).collect();
        if let Some(&first) = ancestors.iter().find_map(|folder| files.get(*folder)) {
            found.push(Conflict { first, second: index, clash: Clash::FileAndFolder });
            continue;
        }
        for folder in ancestors {
            folders.entry(folder.to_string()).or_insert(index);
        }
        files.insert(folded, index);
    }
    found
}

/// Checks a whole set of part paths as given: `Ok` with their normalized spellings, or `Err` with one
/// message per refused path or clash, naming the parts.
pub fn check_all(paths: &[&str]) -> Result<Vec<String>, Vec<String>> {
    let mut problems = Vec::new();
    let mut normalized = Vec::with_capacity(paths.len());
    for path in paths {
        match normalize(path) {
            Ok(path) => normalized.push(path),
            Err(why) => problems.push(format!("the part path `{path}` {}", why.reason())),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let as_str: Vec<&str> = normalized.iter().map(String::as_str).collect();
    let clashes = conflicts(&as_str);
    if clashes.is_empty() {
        Ok(normalized)
    } else {
        Err(clashes.iter().map(|conflict| conflict.describe(paths)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_per_path() {
        assert_eq!(normalize("mashup.pq").as_deref(), Ok("mashup.pq"));
        assert_eq!(normalize("./mashup.pq").as_deref(), Ok("mashup.pq"));
        assert_eq!(normalize("sub//x.pq").as_deref(), Ok("sub/x.pq"));
        assert_eq!(normalize("sub/./x.pq/").as_deref(), Ok("sub/x.pq"));
        assert_eq!(normalize(".platform").as_deref(), Ok(".platform"));
        assert_eq!(normalize("MDF transform.mdf").as_deref(), Ok("MDF transform.mdf"));
        assert_eq!(normalize("..hidden/x").as_deref(), Ok("..hidden/x"));
    }

    #[test]
    fn unsafe_paths_are_refused() {
        assert_eq!(normalize(""), Err(Unsafe::Empty));
        assert_eq!(normalize("./"), Err(Unsafe::Empty));
        assert_eq!(normalize("/tmp/x"), Err(Unsafe::Absolute));
        assert_eq!(normalize("//server/x"), Err(Unsafe::Absolute));
        assert_eq!(normalize("../evil"), Err(Unsafe::Parent));
        assert_eq!(normalize("a/../../evil"), Err(Unsafe::Parent));
        assert_eq!(normalize("a/../b"), Err(Unsafe::Parent));
        assert_eq!(normalize("C:\\evil"), Err(Unsafe::NotPortable));
        assert_eq!(normalize("C:evil"), Err(Unsafe::NotPortable));
        assert_eq!(normalize("a\u{0}b"), Err(Unsafe::NotPortable));
        assert_eq!(normalize(".git/hooks/pre-commit"), Err(Unsafe::Reserved));
        assert_eq!(normalize("sub/.GIT/config"), Err(Unsafe::Reserved));
        assert_eq!(normalize(".git"), Err(Unsafe::Reserved));
        assert_eq!(normalize(".dfls-update/journal"), Err(Unsafe::Reserved));
    }

    #[test]
    fn clashes_are_found_in_either_order() {
        let clash = |paths: &[&str]| {
            conflicts(paths).into_iter().map(|c| (c.first, c.second, c.clash)).collect::<Vec<_>>()
        };
        assert_eq!(clash(&["a", "a/b"]), [(0, 1, Clash::FileAndFolder)]);
        assert_eq!(clash(&["a/b", "a"]), [(0, 1, Clash::FileAndFolder)]);
        assert_eq!(clash(&["a/b/c", "x", "a/b"]), [(0, 2, Clash::FileAndFolder)]);
        assert_eq!(clash(&["a/b", "a/c", "a"]), [(0, 2, Clash::FileAndFolder)]);
        assert_eq!(clash(&["mashup.pq", "mashup.pq"]), [(0, 1, Clash::SameFile)]);
        assert_eq!(clash(&["Mashup.pq", "mashup.pq"]), [(0, 1, Clash::SameFile)]);
        assert_eq!(clash(&["A", "a/b"]), [(0, 1, Clash::FileAndFolder)]);
        assert!(clash(&["a/b", "a/c", "ab", "a.b", "b/a"]).is_empty());
    }

    #[test]
    fn a_set_is_checked_as_given() {
        assert_eq!(check_all(&["./mashup.pq", "sub//x.pq"]), Ok(vec!["mashup.pq".into(), "sub/x.pq".into()]));
        assert_eq!(
            check_all(&["mashup.pq", "./mashup.pq"]),
            Err(vec!["the parts `mashup.pq` and `./mashup.pq` are the same file".to_string()])
        );
        let refused = check_all(&["/tmp/x", ".git/hooks/pre-commit", "ok"]).unwrap_err();
        assert_eq!(refused.len(), 2);
        assert!(refused[0].contains("`/tmp/x` is absolute"), "{refused:?}");
        assert!(refused[1].contains("`.git/hooks/pre-commit` is inside `.git/`"), "{refused:?}");
    }
}
