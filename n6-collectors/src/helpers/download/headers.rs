//! Request headers: `base_request_headers` from the config and per-request headers,
//! merged as n6 merges them (`BaseDownloadingCollector` in `n6datasources.collectors.base`).

use crate::config::PyValue;
use crate::error::{Error, Result};

/// Converts the `base_request_headers` option (`py_namespaces_dict`) into header pairs.
/// Values must be `str` (or UTF-8 `bytes`), as `requests` requires.
pub fn headers_from_config(option: &[(String, PyValue)]) -> Result<Vec<(String, String)>> {
    option
        .iter()
        .map(|(name, value)| match value {
            PyValue::Str(s) => Ok((name.clone(), s.clone())),
            PyValue::Bytes(b) => String::from_utf8(b.clone())
                .map(|s| (name.clone(), s))
                .map_err(|_| bad_header(name, "bytes that are not UTF-8")),
            other => Err(bad_header(name, &format!("{other:?}"))),
        })
        .collect()
}

fn bad_header(name: &str, what: &str) -> Error {
    Error::Config(vec![format!(
        "config option `base_request_headers`: the value of header {name:?} must be a str, not {what}"
    )])
}

/// n6's merge: with no custom headers exactly `base`; otherwise `base` overlaid with
/// `custom` case-insensitively (a custom key replaces a base key that differs only in
/// case, keeping the custom spelling).
pub fn merge_headers(
    base: &[(String, String)],
    custom: &[(String, String)],
) -> Vec<(String, String)> {
    if custom.is_empty() {
        return base.to_vec();
    }
    let custom_keys: Vec<String> = custom.iter().map(|(k, _)| k.to_lowercase()).collect();
    let mut merged: Vec<(String, String)> = base
        .iter()
        .filter(|(k, _)| !custom_keys.contains(&k.to_lowercase()))
        .cloned()
        .collect();
    for (key, value) in custom {
        let lower = key.to_lowercase();
        merged.retain(|(k, _)| k.to_lowercase() != lower);
        merged.push((key.clone(), value.clone()));
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
        v.sort();
        v
    }

    #[test]
    fn n6_merge_cases() {
        let custom = h(&[("k", "42"), ("BeCeDe", "Ala ma kota!")]);
        assert_eq!(
            merge_headers(&h(&[("k", "42"), ("BeCeDe", "Ala ma kota!")]), &[]),
            custom
        );
        assert_eq!(
            sorted(merge_headers(
                &h(&[("k", "42")]),
                &h(&[("BeCeDe", "Ala ma kota!")])
            )),
            sorted(custom.clone())
        );
        for base in [
            h(&[("K", "123456")]),
            h(&[("k", "123456"), ("becede", "ALA MA KOTA!")]),
            h(&[("\u{212a}", "123456"), ("bEceDE", "asdfghjkl")]),
        ] {
            assert_eq!(
                sorted(merge_headers(&base, &custom)),
                sorted(custom.clone()),
                "{base:?}"
            );
        }
    }

    #[test]
    fn config_values_must_be_text() {
        let ok = headers_from_config(&[
            ("User-Agent".into(), PyValue::Str("n6".into())),
            ("X-B".into(), PyValue::Bytes(b"b".to_vec())),
        ])
        .expect("ok");
        assert_eq!(ok, h(&[("User-Agent", "n6"), ("X-B", "b")]));
        let err = headers_from_config(&[("X".into(), PyValue::Int(1))]).expect_err("int");
        assert_eq!(err.exit_code(), crate::exit::CONFIG);
    }
}
