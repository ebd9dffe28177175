//! Python's `ascii()` of the values n6 puts into its `[rabbitmq]` warnings and errors
//! (`f'{certfile=!a}'`): `str`, `pathlib.PosixPath` and `None`.

/// `ascii(s)` for a Python `str`: quoted like `repr`, non-ASCII escaped.
pub(crate) fn ascii_str(s: &str) -> String {
    n6_collectors_config::py::repr::py_ascii_repr(s)
}

/// `ascii(pathlib.Path(s))` on POSIX: `PosixPath('...')` with pathlib's normalisation
/// (repeated slashes collapsed, `.` segments and a trailing slash dropped, a leading
/// `//` kept). `s` must not be empty (n6 turns empty strings into `None` first).
pub(crate) fn ascii_posix_path(s: &str) -> String {
    format!(
        "PosixPath({})",
        ascii_str(&n6_collectors_config::py::pathlib::normalise(s))
    )
}

/// `ascii()` of an optional path: `None` or `PosixPath('...')`.
pub(crate) fn ascii_opt_path(s: Option<&str>) -> String {
    match s {
        Some(s) => ascii_posix_path(s),
        None => "None".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_like_python_ascii() {
        assert_eq!(ascii_str("/ca.pem"), "'/ca.pem'");
        assert_eq!(ascii_str("it's"), "\"it's\"");
        assert_eq!(ascii_str("'\""), "'\\'\"'");
        assert_eq!(ascii_str("zaż\u{1F600}\x07"), "'za\\u017c\\U0001f600\\x07'");
        assert_eq!(ascii_str("ó\\\n"), "'\\xf3\\\\\\n'");
    }

    #[test]
    fn paths_are_normalised_like_pathlib() {
        assert_eq!(ascii_posix_path("/c.pem"), "PosixPath('/c.pem')");
        assert_eq!(ascii_posix_path("~/x//./y/"), "PosixPath('~/x/y')");
        assert_eq!(ascii_posix_path("//srv/a"), "PosixPath('//srv/a')");
        assert_eq!(ascii_posix_path("///srv/a"), "PosixPath('/srv/a')");
        assert_eq!(ascii_posix_path("./"), "PosixPath('.')");
        assert_eq!(ascii_posix_path("a/../b"), "PosixPath('a/../b')");
        assert_eq!(ascii_opt_path(None), "None");
    }
}
