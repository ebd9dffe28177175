//! Where n6 configuration comes from (`n6lib.config.Config._load_n6_config_files`): config-file discovery in
//! `/etc/n6` and `~/.n6`, loading the files through the [INI dialect](crate::ini), and
//! `--n6config-override SECTION.OPTION=VALUE`.
//!
//! ```text
//! discover(dirs)  ->  files in reading order (+ warnings)
//! load(dirs, overrides) = discover + read every file into one INI reader
//!                         + interpolation + `""` rule + overrides
//! ```

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::ini::{IniErrors, IniReader};
use crate::raw::{Origin, RawConfig};

/// n6's system-wide config directory (`ETC_DIR`).
pub const ETC_DIR: &str = "/etc/n6";

/// The warning logged when no config file was found.
pub const NO_FILES_WARNING: &str = "No config files to read";

/// The config directories n6 reads, in order: `/etc/n6`, then `~/.n6`.
pub fn default_config_dirs() -> Vec<PathBuf> {
    vec![PathBuf::from(ETC_DIR), user_config_dir()]
}

/// `~/.n6`, with `~` expanded as Python's `os.path.expanduser` does: from `$HOME` (any
/// trailing `/` removed) or, when `HOME` is not set, from the user's passwd entry; if
/// neither is available the path stays `~/.n6` (a relative path, as in n6).
pub fn user_config_dir() -> PathBuf {
    match crate::py::home::current_home() {
        Some(home) => join_dot_n6(home),
        None => PathBuf::from("~/.n6"),
    }
}

/// `home` with trailing `/` removed, then `/.n6` appended (Python: `rstrip('/') +
/// '/.n6'`, so an empty or `/` home gives `/.n6`).
#[cfg(unix)]
fn join_dot_n6(home: OsString) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;

    let mut bytes = home.into_vec();
    while bytes.last() == Some(&b'/') {
        bytes.pop();
    }
    bytes.extend_from_slice(b"/.n6");
    PathBuf::from(OsString::from_vec(bytes))
}

/// `home/.n6`.
#[cfg(not(unix))]
fn join_dot_n6(home: OsString) -> PathBuf {
    PathBuf::from(home).join(".n6")
}

/// Whether a file's base name selects it as an n6 config file: it matches
/// `\A[0-9][0-9]_.*\.conf\Z` (two ASCII digits, `_`, anything but a newline, `.conf`)
/// and does not match `\Alogging[-.]`.
pub fn is_config_file_name(name: &OsStr) -> bool {
    let b = name.as_encoded_bytes();
    let selected = b.len() >= 8
        && b[0].is_ascii_digit()
        && b[1].is_ascii_digit()
        && b[2] == b'_'
        && b.ends_with(b".conf")
        && !b[3..b.len() - 5].contains(&b'\n');
    let excluded = b.starts_with(b"logging-") || b.starts_with(b"logging.");
    selected && !excluded
}

/// Finds the config files in `dirs`, in reading order.
///
/// Each directory is walked recursively (symlinked directories are not descended into,
/// symlinks to files — even broken ones — are listed, unreadable or missing directories
/// contribute nothing); files are selected by [`is_config_file_name`]; each tree's
/// selection is sorted by full path (byte order), and the trees follow each other in
/// the given order. The warnings are [`NO_FILES_WARNING`] when nothing was found.
pub fn discover(dirs: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    for dir in dirs {
        let mut tree = Vec::new();
        walk(dir, &mut tree);
        tree.sort_by(|a, b| {
            a.as_os_str()
                .as_encoded_bytes()
                .cmp(b.as_os_str().as_encoded_bytes())
        });
        files.extend(tree);
    }
    let mut warnings = Vec::new();
    if files.is_empty() {
        warnings.push(NO_FILES_WARNING.to_owned());
    }
    (files, warnings)
}

/// Adds the selected files under `dir` to `out` (Python's `os.walk`, top-down, not
/// following symlinked directories, ignoring errors).
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut subdirs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        let is_dir = if file_type.is_symlink() {
            // A symlink counts as a directory when its target is one (then it is not
            // descended into); a broken link counts as a file.
            fs::metadata(&path).is_ok_and(|m| m.is_dir())
        } else {
            file_type.is_dir()
        };
        if is_dir {
            if !file_type.is_symlink() {
                subdirs.push(path);
            }
        } else if is_config_file_name(&entry.file_name()) {
            out.push(path);
        }
    }
    for sub in subdirs {
        walk(&sub, out);
    }
}

/// Configuration files could not be loaded: every problem found in any file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigLoadError {
    /// Syntax, encoding or interpolation problems in config files.
    #[error("{0}")]
    Ini(#[from] IniErrors),
}

/// Discovers, reads and merges the config files in `dirs` (see [`discover`]), then
/// applies `overrides` (see [`apply_overrides`]).
///
/// Returns the raw configuration (without `DEFAULT`, whose options every section
/// inherits) and the warnings n6 would log: [`NO_FILES_WARNING`], and
/// `Config files that could not be read (check their permission modes?): "<path>", ...`
/// for files that could not be opened or read (they are skipped).
pub fn load(
    dirs: &[PathBuf],
    overrides: &[Override],
) -> Result<(RawConfig, Vec<String>), ConfigLoadError> {
    let loaded = load_reporting(dirs, overrides)?;
    Ok((loaded.config, loaded.warnings))
}

/// What [`load_reporting`] found: the configuration, n6's warnings, and the config files
/// that were selected but could not be read (skipped, as n6 skips them).
#[derive(Debug)]
pub struct LoadReport {
    /// The merged raw configuration (overrides applied).
    pub config: RawConfig,
    /// The warnings n6 would log (see [`load`]).
    pub warnings: Vec<String>,
    /// The selected config files that could not be opened or read.
    pub unreadable: Vec<PathBuf>,
}

/// [`load`], also naming the config files that could not be read, so a caller can
/// refuse to guess what a missing section would have said.
pub fn load_reporting(
    dirs: &[PathBuf],
    overrides: &[Override],
) -> Result<LoadReport, ConfigLoadError> {
    let (files, mut warnings) = discover(dirs);
    let mut unreadable = Vec::new();
    let (config, more) = load_files_noting(&files, overrides, &mut |path| {
        unreadable.push(path.to_owned())
    })?;
    warnings.extend(more);
    Ok(LoadReport {
        config,
        warnings,
        unreadable,
    })
}

/// Reads and merges the given config files, in order, then applies `overrides`; files
/// that cannot be read are skipped with a warning (see [`load`]).
pub fn load_files(
    files: &[PathBuf],
    overrides: &[Override],
) -> Result<(RawConfig, Vec<String>), ConfigLoadError> {
    load_files_noting(files, overrides, &mut |_| {})
}

/// [`load_files`], calling `on_unreadable` with each file that could not be read.
fn load_files_noting(
    files: &[PathBuf],
    overrides: &[Override],
    on_unreadable: &mut dyn FnMut(&Path),
) -> Result<(RawConfig, Vec<String>), ConfigLoadError> {
    let mut reader = IniReader::new();
    let mut unreadable = Vec::new();
    for path in files {
        match fs::read(path) {
            Ok(bytes) => reader.read_bytes(path, &bytes),
            Err(_) => {
                on_unreadable(path);
                unreadable.push(path);
            }
        }
    }
    let mut warnings = Vec::new();
    if !unreadable.is_empty() {
        let list: Vec<String> = unreadable
            .iter()
            .map(|p| format!("\"{}\"", p.display()))
            .collect();
        warnings.push(format!(
            "Config files that could not be read (check their permission modes?): {}",
            list.join(", ")
        ));
    }
    let mut config = reader.finish()?;
    apply_overrides(&mut config, overrides);
    Ok((config, warnings))
}

/// Like [`load_files`], from in-memory `(path, text)` pairs (for tests and tools).
pub fn load_texts(
    texts: &[(PathBuf, String)],
    overrides: &[Override],
) -> Result<RawConfig, ConfigLoadError> {
    let mut reader = IniReader::new();
    for (path, text) in texts {
        reader.read_str(path, text);
    }
    let mut config = reader.finish()?;
    apply_overrides(&mut config, overrides);
    Ok(config)
}

/// Applies overrides as n6 does: in order (a later one for the same option wins), names
/// and values verbatim, only to sections that exist in `config` (others are silently
/// ignored), adding or replacing options.
pub fn apply_overrides(config: &mut RawConfig, overrides: &[Override]) {
    for o in overrides {
        if config.sections.contains_key(&o.section) {
            config.set(&o.section, &o.option, &o.value, Origin::Override);
        }
    }
}

/// One `--n6config-override` item, `SECTION.OPTION=VALUE`.
///
/// Section, option and value are kept verbatim (n6 neither strips nor lower-cases them,
/// and applies neither interpolation nor the `""` rule to the value).
///
/// On the command line, `--n6config-override` takes any number of items, and when the
/// flag is given several times only its **last** occurrence counts (argparse replaces
/// the whole list), like in n6; the CLI passes the items of that occurrence to
/// [`Override::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The section name (case-sensitive).
    pub section: String,
    /// The option name (not lower-cased).
    pub option: String,
    /// The value.
    pub value: String,
}

/// A `--n6config-override` item that is not `SECTION.OPTION=VALUE` (n6 dies with a
/// `ValueError` traceback here; this names the item and the problem instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid --n6config-override item {item:?}: {problem}")]
pub struct OverrideError {
    /// The item as given.
    pub item: String,
    /// What is wrong with it.
    pub problem: OverrideProblem,
}

/// What is wrong with a `--n6config-override` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideProblem {
    /// The item does not contain exactly one `=` (the number found).
    EqualsSigns(usize),
    /// The part before `=` does not contain exactly one `.` (the number found).
    Dots(usize),
}

impl fmt::Display for OverrideProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OverrideProblem::EqualsSigns(n) => write!(
                f,
                "expected SECTION.OPTION=VALUE with exactly one `=`, found {n} \
                 (a value cannot contain `=`)"
            ),
            OverrideProblem::Dots(n) => write!(
                f,
                "expected SECTION.OPTION before `=` with exactly one `.`, found {n} \
                 (an option name cannot contain `.`)"
            ),
        }
    }
}

impl Override {
    /// Parses `SECTION.OPTION=VALUE`: exactly one `=`, and exactly one `.` before it
    /// (n6's rule; empty parts are accepted, as in n6).
    pub fn parse(item: &str) -> Result<Override, OverrideError> {
        let fail = |problem| OverrideError {
            item: item.to_owned(),
            problem,
        };
        let equals = item.matches('=').count();
        let Some((left, value)) = item.split_once('=').filter(|_| equals == 1) else {
            return Err(fail(OverrideProblem::EqualsSigns(equals)));
        };
        let dots = left.matches('.').count();
        let Some((section, option)) = left.split_once('.').filter(|_| dots == 1) else {
            return Err(fail(OverrideProblem::Dots(dots)));
        };
        Ok(Override {
            section: section.to_owned(),
            option: option.to_owned(),
            value: value.to_owned(),
        })
    }
}

impl FromStr for Override {
    type Err = OverrideError;

    fn from_str(item: &str) -> Result<Override, OverrideError> {
        Override::parse(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::RawOption;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A directory under the system temp dir, removed on drop.
    struct TempTree(PathBuf);

    impl TempTree {
        fn new(name: &str) -> TempTree {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "n6-config-files-{}-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                name
            ));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempTree(dir)
        }

        fn path(&self, rel: &str) -> PathBuf {
            self.0.join(rel)
        }

        fn file(&self, rel: &str, content: &str) -> PathBuf {
            let path = self.path(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, content).unwrap();
            path
        }

        #[cfg(unix)]
        fn symlink(&self, target: &Path, rel: &str) -> PathBuf {
            let path = self.path(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(target, &path).unwrap();
            path
        }
    }

    impl Drop for TempTree {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn value<'a>(config: &'a RawConfig, section: &str, option: &str) -> &'a str {
        &config.sections[section].options[option].value
    }

    fn options(config: &RawConfig, section: &str) -> Vec<(String, String)> {
        config.sections[section]
            .options
            .iter()
            .map(|(k, RawOption { value, .. })| (k.clone(), value.clone()))
            .collect()
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn ov(items: &[&str]) -> Vec<Override> {
        items.iter().map(|i| Override::parse(i).unwrap()).collect()
    }

    #[test]
    fn file_name_selection_matches_n6_regexes() {
        // Expected values from Python: `re.search(r'\A[0-9][0-9]_.*\.conf\Z', name)
        // and not re.search(r'\Alogging[-.]', name)`.
        let cases = [
            ("00_.conf", true),
            ("0_a.conf", false),
            ("123_spam.conf", false),
            ("00_foo_bar.SPAM", false),
            ("logging.conf", false),
            ("logging-01.conf", false),
            ("99_x.conf.bak", false),
            ("10_a.conf", true),
            ("99_-xYZ.conf", true),
            ("54_u_x.conf", true),
            ("1a_x.conf", false),
            ("\u{660}\u{661}_x.conf", false),
            ("10_a\nb.conf", false),
            ("10_ś.conf", true),
            ("10_x.CONF", false),
            ("10-x.conf", false),
            ("10_x.conf\n", false),
            ("00_a.conf.conf", true),
            ("10_\u{2028}.conf", true),
        ];
        for (name, want) in cases {
            assert_eq!(is_config_file_name(OsStr::new(name)), want, "{name:?}");
        }
    }

    #[test]
    fn verified_discovery_example() {
        let t = TempTree::new("verified");
        let user = t.path(".n6");
        t.file(
            ".n6/10_a.conf",
            "[sect]\nopt1 = from_10_a\ninterp = %(opt1)s-x\n",
        );
        t.file(".n6/20_c.conf", "[sect]\nopt1 = from_20_c\n");
        t.file(".n6/sub/05_b.conf", "[sect]\nopt1 = from_sub_05\n");
        t.file(".n6/logging.conf", "not an n6 config file\n");
        t.file(".n6/99_x.conf.bak", "not an n6 config file\n");
        let (files, warnings) = discover(std::slice::from_ref(&user));
        assert_eq!(
            files,
            vec![
                user.join("10_a.conf"),
                user.join("20_c.conf"),
                user.join("sub/05_b.conf")
            ]
        );
        assert!(warnings.is_empty());
        let (config, warnings) = load(&[t.path("etc-missing"), user.clone()], &[]).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(value(&config, "sect", "opt1"), "from_sub_05");
        assert_eq!(value(&config, "sect", "interp"), "from_sub_05-x");
        assert_eq!(
            config.sections["sect"].options["opt1"].origin,
            Origin::File {
                path: user.join("sub/05_b.conf"),
                line: 2
            }
        );
    }

    #[cfg(unix)]
    #[test]
    fn discovery_walks_trees_in_order_without_following_dir_symlinks() {
        let t = TempTree::new("walk");
        let etc = t.path("etc");
        let user = t.path("user");
        t.file("etc/50_b.conf", "");
        t.file("etc/z/01_a.conf", "");
        t.file("etc/a/99_c.conf", "");
        t.file("etc/40_dir.conf/10_inner.conf", "");
        t.file("outside/10_linked_dir_content.conf", "");
        t.symlink(&t.path("outside"), "etc/linked-dir");
        t.file("outside-file.txt", "");
        t.symlink(&t.path("outside-file.txt"), "etc/30_link.conf");
        t.symlink(&t.path("does-not-exist"), "etc/31_broken.conf");
        t.file("user/00_first.conf", "");
        t.file("user/sub/00_x.conf", "");
        let (files, warnings) = discover(&[t.path("missing"), etc.clone(), user.clone()]);
        assert_eq!(
            files,
            vec![
                etc.join("30_link.conf"),
                etc.join("31_broken.conf"),
                etc.join("40_dir.conf/10_inner.conf"),
                etc.join("50_b.conf"),
                etc.join("a/99_c.conf"),
                etc.join("z/01_a.conf"),
                user.join("00_first.conf"),
                user.join("sub/00_x.conf"),
            ]
        );
        assert!(warnings.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_files_are_skipped_with_a_warning() {
        let t = TempTree::new("unreadable");
        t.file("d/10_a.conf", "[s]\na = 1\n");
        let broken = t.symlink(&t.path("nowhere"), "d/20_broken.conf");
        let (config, warnings) = load(&[t.path("d")], &[]).unwrap();
        assert_eq!(options(&config, "s"), pairs(&[("a", "1")]));
        assert_eq!(
            warnings,
            vec![format!(
                "Config files that could not be read (check their permission modes?): \"{}\"",
                broken.display()
            )]
        );
    }

    #[test]
    fn no_config_files() {
        let t = TempTree::new("none");
        t.file("d/logging.conf", "[s]\n");
        let (config, warnings) = load(&[t.path("d"), t.path("missing")], &ov(&["s.a=1"])).unwrap();
        assert_eq!(config, RawConfig::default());
        assert_eq!(warnings, vec!["No config files to read".to_owned()]);
    }

    #[test]
    fn default_dirs() {
        let dirs = default_config_dirs();
        assert_eq!(dirs.len(), 2);
        assert_eq!(dirs[0], PathBuf::from("/etc/n6"));
        assert!(dirs[1].ends_with(".n6"), "{}", dirs[1].display());
    }

    #[cfg(unix)]
    #[test]
    fn home_join_like_python_expanduser() {
        assert_eq!(join_dot_n6("/home/u".into()), PathBuf::from("/home/u/.n6"));
        assert_eq!(
            join_dot_n6("/home/u//".into()),
            PathBuf::from("/home/u/.n6")
        );
        assert_eq!(join_dot_n6("/".into()), PathBuf::from("/.n6"));
        assert_eq!(join_dot_n6("".into()), PathBuf::from("/.n6"));
    }

    /// n6's `n6lib/tests/test_config.py`, with trailing spaces and tabs on some
    /// lines of the third file.
    fn fixture_8_5() -> (TempTree, PathBuf, PathBuf) {
        let t = TempTree::new("fixture");
        let etc = t.path("etc");
        let user = t.path("user");
        t.file(
            "etc/a/b/00_global.conf",
            "[first]\na = xyz\nbCD = 1 , 2 , 3\nefg : 42     ; some comment\n\n\
             [THIRD]\nxx = Zażółć Gęślą Jaźń\nzz = {1: 2}\nQQ = \"\"\n",
        );
        t.file(
            "etc/a/b/99_-xYZ.conf",
            "[first]\nb = 1\nBcd : 4 , 5 , 6\n# another comment\n[third]\n\
             xx = note that section names are always case-sensitive\n[secondś]\n\
             a = 3.2\nB = 4.2\nc = 5.2 ; yet another comment\n",
        );
        for skipped in [
            "123_spam.conf",
            "00_foo_bar.SPAM",
            "logging.conf",
            "logging-01.conf",
        ] {
            t.file(&format!("etc/a/b/{skipped}"), "[first]\na = WRONG\n");
        }
        t.file(
            "user/x/y/54_u_x.conf",
            "[first]\nhij = 43 \t\n      44 ś  \n      45\t\n\nklm.RST =  \t\n    yes,\n   \
             off, \n  False,\n   true,\n    0,\t\n\n[irrelevant]\na = 123\nbb = cc \n\n\
             [secondś]\nb : 44.2\nc : 45.2\nd : 46.2\n",
        );
        (t, etc, user)
    }

    #[test]
    fn fixture_8_5_discovery_order() {
        let (_t, etc, user) = fixture_8_5();
        let (files, _) = discover(&[etc.clone(), user.clone()]);
        assert_eq!(
            files,
            vec![
                etc.join("a/b/00_global.conf"),
                etc.join("a/b/99_-xYZ.conf"),
                user.join("x/y/54_u_x.conf"),
            ]
        );
    }

    #[test]
    fn fixture_8_5_raw_values() {
        // Golden values from CPython 3.11's configparser on the same three files.
        let (_t, etc, user) = fixture_8_5();
        let (config, warnings) = load(&[etc, user], &[]).unwrap();
        assert!(warnings.is_empty());
        let names: Vec<&str> = config.sections.keys().map(String::as_str).collect();
        assert_eq!(names, ["THIRD", "first", "irrelevant", "secondś", "third"]);
        assert_eq!(
            options(&config, "first"),
            pairs(&[
                ("a", "xyz"),
                ("b", "1"),
                ("bcd", "4 , 5 , 6"),
                ("efg", "42"),
                ("hij", "43\n44 ś\n45"),
                // The empty first line stays (Python: '\nyes,\noff,\nFalse,\ntrue,\n0,').
                ("klm.rst", "\nyes,\noff,\nFalse,\ntrue,\n0,"),
            ])
        );
        assert_eq!(
            options(&config, "THIRD"),
            pairs(&[("qq", ""), ("xx", "Zażółć Gęślą Jaźń"), ("zz", "{1: 2}")])
        );
        assert_eq!(
            options(&config, "third"),
            pairs(&[("xx", "note that section names are always case-sensitive")])
        );
        assert_eq!(
            options(&config, "secondś"),
            pairs(&[("a", "3.2"), ("b", "44.2"), ("c", "45.2"), ("d", "46.2")])
        );
        assert_eq!(
            options(&config, "irrelevant"),
            pairs(&[("a", "123"), ("bb", "cc")])
        );
    }

    #[test]
    fn fixture_8_5_with_overrides() {
        let (_t, etc, user) = fixture_8_5();
        let overrides = ov(&["first.a=abc", "THIRD.yy={\"a\": 321}"]);
        let (config, _) = load(&[etc, user], &overrides).unwrap();
        assert_eq!(value(&config, "first", "a"), "abc");
        assert_eq!(value(&config, "THIRD", "yy"), "{\"a\": 321}");
        assert_eq!(
            config.sections["first"].options["a"].origin,
            Origin::Override
        );
        assert_eq!(value(&config, "first", "b"), "1");
    }

    #[test]
    fn fixture_8_5_missing_section_header() {
        let t = TempTree::new("noheader");
        let path = t.file("d/10_a.conf", "abc = foo\n");
        let err = load(&[t.path("d")], &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}:1: MissingSectionHeaderError: File contains no section headers: \
                 line 1 is 'abc = foo'",
                path.display()
            )
        );
    }

    #[test]
    fn lone_percent_in_irrelevant_section_fails_the_load() {
        let texts = [
            (
                PathBuf::from("/etc/n6/10_a.conf"),
                "[first]\na = 1\n".to_owned(),
            ),
            (
                PathBuf::from("/etc/n6/20_b.conf"),
                "[irrelevant]\nratio = 50% bare\n".to_owned(),
            ),
        ];
        let err = load_texts(&texts, &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/etc/n6/20_b.conf:2: InterpolationSyntaxError: option 'ratio' in section \
             'irrelevant': '%' must be followed by '%' or '(', found: '% bare'"
        );
    }

    #[test]
    fn override_items_parse() {
        let ok = |item: &str, s: &str, o: &str, v: &str| {
            assert_eq!(
                Override::parse(item),
                Ok(Override {
                    section: s.to_owned(),
                    option: o.to_owned(),
                    value: v.to_owned()
                }),
                "{item:?}"
            );
        };
        ok("first.a=abc", "first", "a", "abc");
        ok("THIRD.yy={\"a\": 321}", "THIRD", "yy", "{\"a\": 321}");
        ok("sect.y= spaced value ", "sect", "y", " spaced value ");
        ok("sect.Y=7", "sect", "Y", "7");
        ok("sect.y=", "sect", "y", "");
        ok("sect.y=\"\"", "sect", "y", "\"\"");
        ok(" s . o =v", " s ", " o ", "v");
        ok(".y=1", "", "y", "1");
        ok("s.=1", "s", "", "1");
        let err = |item: &str, problem: OverrideProblem| {
            assert_eq!(
                Override::parse(item),
                Err(OverrideError {
                    item: item.to_owned(),
                    problem
                }),
                "{item:?}"
            );
        };
        err("sect.y=a=b", OverrideProblem::EqualsSigns(2));
        err("sect.y", OverrideProblem::EqualsSigns(0));
        err("", OverrideProblem::EqualsSigns(0));
        err("a.b.c=1", OverrideProblem::Dots(2));
        err("ab=1", OverrideProblem::Dots(0));
        err("a.b.c=1=2", OverrideProblem::EqualsSigns(2));
        assert_eq!("s.o=v".parse::<Override>(), Override::parse("s.o=v"));
        assert_eq!(
            Override::parse("sect.y=a=b").unwrap_err().to_string(),
            "invalid --n6config-override item \"sect.y=a=b\": expected SECTION.OPTION=VALUE \
             with exactly one `=`, found 2 (a value cannot contain `=`)"
        );
        assert_eq!(
            Override::parse("a.b.c=1").unwrap_err().to_string(),
            "invalid --n6config-override item \"a.b.c=1\": expected SECTION.OPTION before \
             `=` with exactly one `.`, found 2 (an option name cannot contain `.`)"
        );
    }

    #[test]
    fn override_semantics() {
        let texts = [(
            PathBuf::from("/etc/n6/10_a.conf"),
            "[DEFAULT]\nd = 0\n[sect]\ny = 1\nref = %(y)s\n[empty]\n".to_owned(),
        )];
        let overrides = ov(&[
            "sect.y= spaced value ",
            "sect.Y=7",
            "sect.new=%(y)s",
            "sect.q=\"\"",
            "empty.a=1",
            "empty.a=2",
            "other.y=7",
            "DEFAULT.d=9",
        ]);
        let config = load_texts(&texts, &overrides).unwrap();
        assert_eq!(
            options(&config, "sect"),
            pairs(&[
                ("Y", "7"),
                ("d", "0"),
                ("new", "%(y)s"),
                ("q", "\"\""),
                ("ref", "1"),
                ("y", " spaced value "),
            ])
        );
        assert_eq!(options(&config, "empty"), pairs(&[("a", "2"), ("d", "0")]));
        let names: Vec<&str> = config.sections.keys().map(String::as_str).collect();
        assert_eq!(names, ["empty", "sect"]);
        assert_eq!(
            config.sections["sect"].options["y"].origin,
            Origin::Override
        );
        assert_eq!(
            config.sections["sect"].options["ref"].origin,
            Origin::File {
                path: PathBuf::from("/etc/n6/10_a.conf"),
                line: 5
            }
        );
    }
}
