//! Python's `urllib.parse.urljoin`, as n6's `MispCollector` and PyMISP join their URLs
//! (`urljoin(misp_url, 'events/restSearch')`, `urljoin(misp_url, sample_path)`, then the
//! sample id). A relative reference replaces the base's last path segment, so
//! `https://misp.example/misp` + `events/restSearch` is `https://misp.example/events/restSearch`
//! while `https://misp.example/misp/` keeps `misp/`.

/// The parts of a URL as `urlsplit` gives them (no `;params` split: n6's URLs have none).
struct Parts<'a> {
    scheme: &'a str,
    netloc: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn split(url: &str) -> Parts<'_> {
    let (rest, fragment) = match url.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (url, None),
    };
    let (scheme, rest) = match rest.find(':') {
        Some(i)
            if i > 0
                && rest.as_bytes()[0].is_ascii_alphabetic()
                && rest[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
        {
            (&rest[..i], &rest[i + 1..])
        }
        _ => ("", rest),
    };
    let (netloc, rest) = match rest.strip_prefix("//") {
        Some(after) => {
            let end = after.find(['/', '?']).unwrap_or(after.len());
            (Some(&after[..end]), &after[end..])
        }
        None => (None, rest),
    };
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    Parts {
        scheme,
        netloc,
        path,
        query,
        fragment,
    }
}

fn unsplit(
    scheme: &str,
    netloc: Option<&str>,
    path: &str,
    query: Option<&str>,
    fragment: Option<&str>,
) -> String {
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(scheme);
        out.push(':');
    }
    if let Some(netloc) = netloc {
        out.push_str("//");
        out.push_str(netloc);
        if !path.is_empty() && !path.starts_with('/') {
            out.push('/');
        }
    }
    out.push_str(path);
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        out.push('?');
        out.push_str(query);
    }
    if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// `urllib.parse.urljoin(base, url)` for `http`/`https` bases.
pub fn urljoin(base: &str, url: &str) -> String {
    if base.is_empty() {
        return url.to_owned();
    }
    if url.is_empty() {
        return base.to_owned();
    }
    let b = split(base);
    let u = split(url);
    let scheme = if u.scheme.is_empty() {
        b.scheme
    } else {
        u.scheme
    };
    if !scheme.eq_ignore_ascii_case(b.scheme) {
        return url.to_owned();
    }
    if u.netloc.is_some_and(|n| !n.is_empty()) {
        return unsplit(scheme, u.netloc, u.path, u.query, u.fragment);
    }
    let netloc = b.netloc;
    if u.path.is_empty() {
        let query = u.query.filter(|q| !q.is_empty()).or(b.query);
        return unsplit(scheme, netloc, b.path, query, u.fragment);
    }
    let mut segments: Vec<&str> = if u.path.starts_with('/') {
        u.path.split('/').collect()
    } else {
        let mut base_parts: Vec<&str> = b.path.split('/').collect();
        if base_parts.last().is_some_and(|last| !last.is_empty()) {
            base_parts.pop();
        }
        base_parts.extend(u.path.split('/'));
        // Python drops empty middle segments (no doubled slashes on re-joining).
        let last = base_parts.len() - 1;
        base_parts
            .iter()
            .enumerate()
            .filter(|(i, s)| *i == 0 || *i == last || !s.is_empty())
            .map(|(_, s)| *s)
            .collect()
    };
    let mut resolved: Vec<&str> = Vec::new();
    for seg in &segments {
        match *seg {
            ".." => {
                resolved.pop();
            }
            "." => {}
            other => resolved.push(other),
        }
    }
    if segments.last().is_some_and(|s| *s == "." || *s == "..") {
        resolved.push("");
    }
    segments.clear();
    let joined = resolved.join("/");
    let path = if joined.is_empty() {
        "/"
    } else {
        joined.as_str()
    };
    unsplit(scheme, netloc, path, u.query, u.fragment)
}

#[cfg(test)]
mod tests {
    use super::urljoin;

    #[test]
    fn as_python_joins() {
        let cases = [
            (
                "https://example.com",
                "events/restSearch",
                "https://example.com/events/restSearch",
            ),
            (
                "https://example.com/",
                "events/restSearch",
                "https://example.com/events/restSearch",
            ),
            (
                "https://m.example/misp",
                "events/restSearch",
                "https://m.example/events/restSearch",
            ),
            (
                "https://m.example/misp/",
                "events/restSearch",
                "https://m.example/misp/events/restSearch",
            ),
            (
                "https://example.com",
                "/exampleUrlPath/download/",
                "https://example.com/exampleUrlPath/download/",
            ),
            (
                "https://m.example/misp/",
                "/attributes/downloadAttachment/download/",
                "https://m.example/attributes/downloadAttachment/download/",
            ),
            (
                "https://example.com/exampleUrlPath/download/",
                "144656",
                "https://example.com/exampleUrlPath/download/144656",
            ),
            ("https://example.com/a/b", "../c", "https://example.com/c"),
            (
                "https://example.com/a/b",
                "https://other.example/x",
                "https://other.example/x",
            ),
            (
                "https://example.com/a/b?q=1",
                "",
                "https://example.com/a/b?q=1",
            ),
            (
                "https://example.com/a//b/",
                "c",
                "https://example.com/a/b/c",
            ),
        ];
        for (base, url, joined) in cases {
            assert_eq!(urljoin(base, url), joined, "urljoin({base:?}, {url:?})");
        }
    }
}
