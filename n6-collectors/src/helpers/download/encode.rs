//! Request bodies and query strings encoded as Python's `requests` encodes them:
//! `RequestEncodingMixin._encode_params` (`urllib.parse.urlencode(..., doseq=True)`
//! with `quote_plus`) and `requests.utils.requote_uri` on the final URL.

use std::fmt::Write as _;

use n6_collectors_config::py::repr::py_float_repr;

/// One value of a form or query field, as Python would turn it into text.
#[derive(Debug, Clone, PartialEq)]
pub enum FormValue {
    /// A `str` (sent as UTF-8).
    Text(String),
    /// `bytes`, sent as they are.
    Bytes(Vec<u8>),
    /// `None`: `requests` leaves the field out.
    None,
}

impl From<&str> for FormValue {
    fn from(s: &str) -> Self {
        FormValue::Text(s.to_owned())
    }
}

impl From<String> for FormValue {
    fn from(s: String) -> Self {
        FormValue::Text(s)
    }
}

impl From<&String> for FormValue {
    fn from(s: &String) -> Self {
        FormValue::Text(s.clone())
    }
}

impl From<Vec<u8>> for FormValue {
    fn from(b: Vec<u8>) -> Self {
        FormValue::Bytes(b)
    }
}

impl From<&[u8]> for FormValue {
    fn from(b: &[u8]) -> Self {
        FormValue::Bytes(b.to_vec())
    }
}

impl From<bool> for FormValue {
    /// `str(True)` / `str(False)`.
    fn from(b: bool) -> Self {
        FormValue::Text(if b { "True" } else { "False" }.to_owned())
    }
}

impl From<f64> for FormValue {
    /// `str(float)` (Python's repr: `1.0`, `1e+16`, `inf`).
    fn from(x: f64) -> Self {
        FormValue::Text(py_float_repr(x))
    }
}

impl<T: Into<FormValue>> From<Option<T>> for FormValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(FormValue::None, Into::into)
    }
}

macro_rules! form_int {
    ($($t:ty),*) => {$(
        impl From<$t> for FormValue {
            /// `str(int)`.
            fn from(i: $t) -> Self {
                FormValue::Text(i.to_string())
            }
        }
    )*};
}
form_int!(
    i8, i16, i32, i64, i128, u8, u16, u32, u64, u128, isize, usize
);

/// Form or query fields in order (a Python `dict` or list of pairs given as `data=` or
/// `params=`); a field with several values is a key mapped to a list.
///
/// ```
/// use n6_collectors::helpers::download::Form;
///
/// let form = Form::new()
///     .field("urlid", 123)
///     .field("q", "a b&c/ż~")
///     .field("skipped", None::<&str>)
///     .fields("tag", ["x", "y"]);
/// assert_eq!(form.encode(), "urlid=123&q=a+b%26c%2F%C5%BC~&tag=x&tag=y");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Form {
    pairs: Vec<(String, FormValue)>,
}

impl Form {
    /// No fields.
    pub fn new() -> Self {
        Form::default()
    }

    /// Adds `key=value` (left out when `value` is `None`, as `requests` does).
    pub fn field(mut self, key: impl Into<String>, value: impl Into<FormValue>) -> Self {
        self.pairs.push((key.into(), value.into()));
        self
    }

    /// Adds `key=v` for each of `values` (a Python list value).
    pub fn fields<V: Into<FormValue>>(
        mut self,
        key: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let key = key.into();
        for v in values {
            self.pairs.push((key.clone(), v.into()));
        }
        self
    }

    /// True when no field is sent.
    pub fn is_empty(&self) -> bool {
        self.pairs.iter().all(|(_, v)| *v == FormValue::None)
    }

    /// `requests`' `_encode_params`: `urlencode(pairs, doseq=True)`.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (key, value) in &self.pairs {
            let value = match value {
                FormValue::Text(t) => t.as_bytes(),
                FormValue::Bytes(b) => b.as_slice(),
                FormValue::None => continue,
            };
            if !out.is_empty() {
                out.push('&');
            }
            quote_plus(&mut out, key.as_bytes());
            out.push('=');
            quote_plus(&mut out, value);
        }
        out
    }
}

/// `urllib.parse`'s always-safe bytes: letters, digits, `_.-~`.
fn always_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~')
}

/// `quote_plus(value, safe='')`: space as `+`, other unsafe bytes as `%XX`.
fn quote_plus(out: &mut String, value: &[u8]) {
    for &b in value {
        if always_safe(b) {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// `quote(text, safe=safe)`.
fn quote(text: &str, safe: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if always_safe(b) || safe.contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `requests.utils.unquote_unreserved`; None for an invalid escape (`%zz`).
fn unquote_unreserved(uri: &str) -> Option<String> {
    let mut parts = uri.split('%');
    let mut out = parts.next().unwrap_or("").to_owned();
    for part in parts {
        let h: String = part.chars().take(2).collect();
        if h.chars().count() == 2 && h.chars().all(char::is_alphanumeric) {
            let c = u8::from_str_radix(&h, 16).ok()?;
            if always_safe(c) {
                out.push(c as char);
                out.push_str(&part[h.len()..]);
            } else {
                out.push('%');
                out.push_str(part);
            }
        } else {
            out.push('%');
            out.push_str(part);
        }
    }
    Some(out)
}

/// `requests.utils.requote_uri`: unreserved escapes decoded, every character that is
/// neither unreserved nor one of ``!#$%&'()*+,/:;=?@[]~`` percent-encoded (UTF-8).
pub fn requote_uri(uri: &str) -> String {
    match unquote_unreserved(uri) {
        Some(unquoted) => quote(&unquoted, b"!#$%&'()*+,/:;=?@[]~"),
        None => quote(uri, b"!#$&'()*+,/:;=?@[]~"),
    }
}

/// `PreparedRequest.prepare_url(url, params)`: urllib3's `parse_url` normalization of
/// the path (dot segments removed), query and fragment (characters outside RFC 3986's
/// sets percent-encoded, existing escapes upper-cased), the encoded `params` joined to
/// the query (after a `&` when it has one), then [`requote_uri`]. Leading whitespace is
/// stripped and an empty query (a bare `?`) dropped, as `requests` does; the host is
/// not IDNA-encoded and an empty path is not made `/` (the request sent is the same).
pub fn prepare_url(url: &str, params: &Form) -> String {
    let url = url.trim_start();
    let (scheme_authority, path, query, fragment) = split_url(url);
    let path = encode_invalid(&remove_dot_segments(path), b":@/");
    let mut query = query
        .map(|q| encode_invalid(q, b":@/?"))
        .unwrap_or_default();
    let encoded = params.encode();
    if !encoded.is_empty() {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&encoded);
    }
    let mut out = format!("{scheme_authority}{path}");
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if let Some(f) = fragment
        .map(|f| encode_invalid(f, b":@/?"))
        .filter(|f| !f.is_empty())
    {
        out.push('#');
        out.push_str(&f);
    }
    requote_uri(&out)
}

/// urllib3's URI regex: (`scheme://authority`, path, query, fragment).
fn split_url(url: &str) -> (&str, &str, Option<&str>, Option<&str>) {
    let after_scheme = url
        .find(':')
        .filter(|&i| {
            let scheme = &url[..i];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        })
        .map_or(0, |i| i + 1);
    let mut head_end = after_scheme;
    if url[after_scheme..].starts_with("//") {
        head_end = url[after_scheme + 2..]
            .find(['/', '\\', '?', '#'])
            .map_or(url.len(), |i| after_scheme + 2 + i);
    }
    let rest = &url[head_end..];
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    (&url[..head_end], path, query, fragment)
}

/// urllib3's `_remove_path_dot_segments`.
fn remove_dot_segments(path: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "." => {}
            ".." => {
                output.pop();
            }
            s => output.push(s),
        }
    }
    if path.starts_with('/') && output.first().is_none_or(|s| !s.is_empty()) {
        output.insert(0, "");
    }
    if path.ends_with("/.") || path.ends_with("/..") {
        output.push("");
    }
    output.join("/")
}

/// urllib3's `_encode_invalid_chars`: bytes outside the unreserved and sub-delim
/// characters and `extra` are percent-encoded; `%XX` escapes are upper-cased, and kept
/// only when every `%` starts one.
fn encode_invalid(component: &str, extra: &[u8]) -> String {
    let mut b = component.as_bytes().to_vec();
    let is_escape = |b: &[u8], i: usize| {
        b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    };
    // (`_PERCENT_RE.subn(upper)` first, on every valid escape)
    let mut escapes = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && is_escape(&b, i) {
            b[i + 1] = b[i + 1].to_ascii_uppercase();
            b[i + 2] = b[i + 2].to_ascii_uppercase();
            escapes += 1;
            i += 3;
        } else {
            i += 1;
        }
    }
    let keep_percent = escapes == b.iter().filter(|&&c| c == b'%').count();
    let mut out = String::with_capacity(b.len());
    for c in b {
        if (c == b'%' && keep_percent)
            || always_safe(c)
            || b"!$&'()*+,;=".contains(&c)
            || extra.contains(&c)
        {
            out.push(c as char);
        } else {
            let _ = write!(out, "%{c:02X}");
        }
    }
    out
}
