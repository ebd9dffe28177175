//! The `path` converter: `~` expansion, the absolute-path requirement and `pathlib`'s
//! normalisation.

use std::ffi::{CStr, CString, OsString};
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use super::ConvertError;
use super::pytext::py_strip;

/// Where home directories come from (the environment and the passwd database in
/// production; fixed values in tests).
pub(crate) trait HomeDirs {
    /// The current user's home (`$HOME`, else the passwd entry of the real uid).
    fn current(&self) -> Option<OsString>;
    /// The home directory of the named user (passwd database).
    fn of_user(&self, name: &str) -> Option<OsString>;
}

/// The real environment and passwd database.
pub(crate) struct SystemHomeDirs;

impl HomeDirs for SystemHomeDirs {
    fn current(&self) -> Option<OsString> {
        // SAFETY: `getuid` has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        std::env::var_os("HOME").or_else(|| passwd_home(PasswdKey::Uid(uid)))
    }

    fn of_user(&self, name: &str) -> Option<OsString> {
        passwd_home(PasswdKey::Name(CString::new(name).ok()?))
    }
}

enum PasswdKey {
    Uid(libc::uid_t),
    Name(CString),
}

/// Looks a user up in the passwd database (`getpwuid_r` / `getpwnam_r`) and returns the
/// home directory.
fn passwd_home(key: PasswdKey) -> Option<OsString> {
    let mut buf_len = 1024usize;
    loop {
        let mut buf = vec![0 as libc::c_char; buf_len];
        // SAFETY: `passwd` is a plain C struct for which all-zero bytes are a valid value.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer refers to live, properly sized memory owned by this frame;
        // `buf_len` is the length of `buf`.
        let rc = unsafe {
            match &key {
                PasswdKey::Uid(uid) => {
                    libc::getpwuid_r(*uid, &mut pwd, buf.as_mut_ptr(), buf_len, &mut result)
                }
                PasswdKey::Name(name) => libc::getpwnam_r(
                    name.as_ptr(),
                    &mut pwd,
                    buf.as_mut_ptr(),
                    buf_len,
                    &mut result,
                ),
            }
        };
        if rc == libc::ERANGE && buf_len < 1 << 20 {
            buf_len *= 4;
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_dir.is_null() {
            return None;
        }
        // SAFETY: on success `pw_dir` points to a NUL-terminated string inside `buf`,
        // which is still alive here.
        let dir = unsafe { CStr::from_ptr(pwd.pw_dir) };
        return Some(OsString::from_vec(dir.to_bytes().to_vec()));
    }
}

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

/// `os.path.expanduser` of a first path component starting with `~` (`None` when the
/// home directory cannot be determined).
fn expand_tilde(first: &[u8], homes: &dyn HomeDirs) -> Option<Vec<u8>> {
    let user = &first[1..];
    let home = if user.is_empty() {
        homes.current()?
    } else {
        homes.of_user(std::str::from_utf8(user).ok()?)?
    };
    let home = home.into_vec();
    let end = home.iter().rposition(|b| *b != b'/').map_or(0, |i| i + 1);
    Some(if end == 0 {
        b"/".to_vec()
    } else {
        home[..end].to_vec()
    })
}

/// `pathlib`'s POSIX parsing: the root (`""`, `"/"` or exactly `"//"`) and the non-empty,
/// non-`.` components.
fn split_posix(path: &[u8]) -> (&'static [u8], Vec<&[u8]>) {
    let root: &'static [u8] = if path.starts_with(b"//") && !path.starts_with(b"///") {
        b"//"
    } else if path.starts_with(b"/") {
        b"/"
    } else {
        b""
    };
    let parts = path
        .split(|b| *b == b'/')
        .filter(|p| !p.is_empty() && *p != b".")
        .collect();
    (root, parts)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `$HOME` = `/home/u`; `~root` = `/root` (as when n6's tables were captured).
    pub(crate) struct FakeHomes;

    impl HomeDirs for FakeHomes {
        fn current(&self) -> Option<OsString> {
            Some("/home/u".into())
        }
        fn of_user(&self, name: &str) -> Option<OsString> {
            (name == "root").then(|| "/root".into())
        }
    }

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

    #[test]
    fn system_passwd_lookup_finds_root() {
        assert_eq!(SystemHomeDirs.of_user("root"), Some("/root".into()));
        assert_eq!(SystemHomeDirs.of_user("no_such_user_n6_xyz"), None);
    }
}
