//! URL building as n6's collectors do it with `requests` and `urllib.parse`.

/// `urllib.parse.quote_plus(s)`: form encoding (space → `+`; letters, digits and `_.-~`
/// kept; everything else `%XX` of its UTF-8 bytes).
pub fn quote_plus(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b' ' => out.push('+'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `urllib.parse.urlencode(pairs)`.
pub fn urlencode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// requests' `PreparedRequest.prepare_url(url, params)` for a plain `http(s)://` URL: an
/// empty path becomes `/`, and the encoded parameters are appended to any query.
pub fn with_query(url: &str, params: &[(&str, &str)]) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let (base, query) = match base.split_once('?') {
        Some((base, query)) => (base.to_owned(), Some(query)),
        None => (base.to_owned(), None),
    };
    let mut base = base;
    if let Some((_, rest)) = base.split_once("://")
        && !rest.contains('/')
    {
        base.push('/');
    }
    let encoded = urlencode(params);
    let query = match (query, encoded.is_empty()) {
        (Some(q), false) if !q.is_empty() => format!("{q}&{encoded}"),
        (Some(q), true) => q.to_owned(),
        (_, _) => encoded,
    };
    let mut out = base;
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spamhaus_bots_url_as_n6_builds_it() {
        assert_eq!(
            with_query(
                "https://www.example.com",
                &[("cert", "cert-pl"), ("key", "abcdef123456")]
            ),
            "https://www.example.com/?cert=cert-pl&key=abcdef123456"
        );
        assert_eq!(
            with_query("https://x.org/a?b=1", &[("k", "a b&c")]),
            "https://x.org/a?b=1&k=a+b%26c"
        );
    }
}
