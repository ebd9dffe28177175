//! Python's `pathlib.PurePosixPath` parsing and normalisation: repeated `/`, `.`
//! components and a trailing `/` removed, `..` kept, a leading `//` (exactly two) kept.

/// `pathlib`'s POSIX parsing: the root (`""`, `"/"` or exactly `"//"`) and the non-empty,
/// non-`.` components.
pub fn split_posix(path: &[u8]) -> (&'static [u8], Vec<&[u8]>) {
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

/// `str(pathlib.PurePosixPath(path))`: the normalised path (`.` for an empty one).
pub fn normalise(path: &str) -> String {
    let (root, parts) = split_posix(path.as_bytes());
    let mut out = root.to_vec();
    out.extend_from_slice(&parts.join(&b'/'));
    if out.is_empty() {
        return ".".to_owned();
    }
    // Splitting valid UTF-8 on `/` and joining with `/` keeps it valid UTF-8.
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_like_pathlib() {
        assert_eq!(normalise("/c.pem"), "/c.pem");
        assert_eq!(normalise("~/x//./y/"), "~/x/y");
        assert_eq!(normalise("//a/b"), "//a/b");
        assert_eq!(normalise("///a"), "/a");
        assert_eq!(normalise("a/../b"), "a/../b");
        assert_eq!(normalise("./"), ".");
        assert_eq!(normalise(""), ".");
    }
}
