//! Python's `os.path.expanduser`: the home directory of the current user (`$HOME`, else
//! the passwd entry of the real uid) or of a named user (the passwd database). The one
//! place that calls into libc's passwd functions.

use std::ffi::{CStr, CString, OsString};
use std::os::unix::ffi::OsStringExt;

/// Where home directories come from (the environment and the passwd database in
/// production; fixed values in tests).
pub trait HomeDirs {
    /// The current user's home (`$HOME`, else the passwd entry of the real uid).
    fn current(&self) -> Option<OsString>;
    /// The home directory of the named user (passwd database).
    fn of_user(&self, name: &str) -> Option<OsString>;
}

/// The real environment and passwd database.
pub struct SystemHomeDirs;

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

/// The current user's home directory, as `os.path.expanduser('~')` finds it (`None`:
/// neither `$HOME` nor a passwd entry).
pub fn current_home() -> Option<OsString> {
    SystemHomeDirs.current()
}

/// `os.path.expanduser` of a first path component starting with `~` (`None` when the
/// home directory cannot be determined).
pub fn expand_tilde(first: &[u8], homes: &dyn HomeDirs) -> Option<Vec<u8>> {
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

    #[test]
    fn system_passwd_lookup_finds_root() {
        assert_eq!(SystemHomeDirs.of_user("root"), Some("/root".into()));
        assert_eq!(SystemHomeDirs.of_user("no_such_user_n6_xyz"), None);
    }
}
