//! The `path` converter: `~` expansion, the absolute-path requirement and `pathlib`'s
//! normalisation.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use super::ConvertError;
use crate::py::home::{HomeDirs, SystemHomeDirs, expand_tilde};
use crate::py::pathlib::split_posix;
use crate::py::text::py_strip;

/// `path`: the value (not stripped) must not be empty or whitespace-only; a leading `~` or
/// `~user` is expanded (`$HOME`, the passwd database); the result must be absolute. It is
/// normalised like `pathlib.Path` (repeated `/`, `.` components and a trailing `/`
/// removed, `..` kept, a leading `//` kept).
pub fn to_path(raw: &str) -> Result<PathBuf, ConvertError> {
    to_path_with(raw, &SystemHomeDirs)
}

pub(crate) fn to_path_with(raw: &str, homes: &dyn HomeDirs) -> Result<PathBuf, ConvertError> {
    if py_strip(raw).is_empty() {
        return Err(ConvertError::value_error(
            "path is not allowed to be empty or whitespace-only",
        ));
    }
    let (root, parts) = split_posix(raw.as_bytes());
    let expanded: Vec<u8> = match parts.first() {
        Some(first) if root.is_empty() && first.starts_with(b"~") => {
            let home = expand_tilde(first, homes).ok_or_else(|| {
                ConvertError::new("RuntimeError", "Could not determine home directory.")
            })?;
            let mut joined = home;
            for part in &parts[1..] {
                if !joined.ends_with(b"/") {
                    joined.push(b'/');
                }
                joined.extend_from_slice(part);
            }
            joined
        }
        _ => raw.as_bytes().to_vec(),
    };
    let (root, parts) = split_posix(&expanded);
    if root.is_empty() {
        return Err(ConvertError::value_error(
            "path is required to be absolute (not relative)",
        ));
    }
    let mut normalised = root.to_vec();
    normalised.extend_from_slice(&parts.join(&b'/'));
    Ok(PathBuf::from(OsString::from_vec(normalised)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::py::home::tests::FakeHomes;

    fn ok(raw: &str) -> String {
        match to_path_with(raw, &FakeHomes) {
            Ok(p) => p.to_string_lossy().into_owned(),
            Err(e) => panic!("{raw:?}: {e}"),
        }
    }

    fn err(raw: &str) -> String {
        to_path_with(raw, &FakeHomes).unwrap_err().to_string()
    }

    const EMPTY: &str = "ValueError: path is not allowed to be empty or whitespace-only";
    const RELATIVE: &str = "ValueError: path is required to be absolute (not relative)";

    #[test]
    fn path_table_2_8() {
        assert_eq!(ok("/spam"), "/spam");
        assert_eq!(ok("/spam/"), "/spam");
        assert_eq!(ok("/spam//pram/./x"), "/spam/pram/x");
        assert_eq!(ok("~/foo/bar"), "/home/u/foo/bar");
        assert_eq!(ok("~root/foo"), "/root/foo");
        assert_eq!(err("rel/x"), RELATIVE);
        assert_eq!(err(""), EMPTY);
        assert_eq!(err("  "), EMPTY);
        assert_eq!(err(" /spam"), RELATIVE);
        assert_eq!(ok("/spam/../x"), "/spam/../x");
    }

    #[test]
    fn path_pathlib_details() {
        assert_eq!(ok("//spam/x/"), "//spam/x");
        assert_eq!(ok("///spam"), "/spam");
        assert_eq!(ok("/"), "/");
        assert_eq!(ok("~"), "/home/u");
        assert_eq!(ok("~//a/./"), "/home/u/a");
        assert_eq!(ok("/a/~"), "/a/~");
        assert_eq!(err("\u{3000}"), EMPTY);
        assert_eq!(err("./x"), RELATIVE);
        assert_eq!(
            err("~nobody_xyz/x"),
            "RuntimeError: Could not determine home directory."
        );
    }
}
