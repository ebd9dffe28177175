//! `helpers::pyjson` against Python's `json`: n6's recorded `json.dumps` bodies
//! re-serialize to the same bytes, and a generated corpus (valid and invalid
//! documents, run through `python3` at test time) gives Python's bytes and messages.

use std::path::{Path, PathBuf};
use std::process::Command;

use n6_collectors::helpers::pyjson::{self, DumpOptions, PyJson, PyObject};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pyjson")
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/data/pyjson")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn n6s_recorded_bodies_round_trip_byte_for_byte() {
    let files = corpus_files();
    assert!(files.len() >= 13, "corpus missing: {files:?}");
    for file in files {
        let body = std::fs::read(&file).expect("read");
        let value = pyjson::loads(&body).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(
            pyjson::dumps(&value).as_bytes(),
            body.as_slice(),
            "{}",
            file.display()
        );
    }
}

#[test]
fn generated_corpus_matches_python_json() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/formats/pyjson_corpus.py");
    let output = Command::new("python3")
        .arg(&script)
        .args(corpus_files())
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("ascii");
    let mut checked = (0, 0);
    for line in text.lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("case");
        let input = case["text"].as_str().expect("text");
        let parsed = pyjson::loads_str(input);
        if let Some(error) = case["error"].as_str() {
            let ours = parsed.expect_err(&format!("python refused {input:?}"));
            assert_eq!(ours.to_string(), error, "input {input:?}");
            checked.1 += 1;
            continue;
        }
        let value = parsed.unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(
            pyjson::dumps(&value),
            case["ascii"].as_str().expect("ascii"),
            "input {input:?}"
        );
        let utf8 = pyjson::dumps_with(
            &value,
            DumpOptions {
                ensure_ascii: false,
                allow_nan: true,
            },
        )
        .expect("allow_nan");
        assert_eq!(
            utf8,
            case["utf8"].as_str().expect("utf8"),
            "input {input:?}"
        );
        checked.0 += 1;
    }
    assert!(checked.0 >= 400 && checked.1 >= 25, "{checked:?}");
}

#[test]
fn bytes_input_is_decoded_as_python_detects_it() {
    let doc = r#"{"a": "ż"}"#;
    let utf16le: Vec<u8> = doc.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16be_bom: Vec<u8> = std::iter::once(0xfeff)
        .chain(doc.encode_utf16())
        .flat_map(u16::to_be_bytes)
        .collect();
    let utf32le: Vec<u8> = doc.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
    let mut bom8 = b"\xef\xbb\xbf".to_vec();
    bom8.extend_from_slice(doc.as_bytes());
    for data in [utf16le, utf16be_bom, utf32le, bom8] {
        assert_eq!(
            pyjson::dumps(&pyjson::loads(&data).expect("decoded")),
            r#"{"a": "\u017c"}"#
        );
    }
    assert!(matches!(
        pyjson::loads(b"[\"\xff\"]"),
        Err(pyjson::JsonError::Encoding { encoding: "utf-8" })
    ));
}

#[test]
fn python_semantics_the_corpus_cannot_show() {
    // A lone surrogate cannot live in a Rust string: a clear error, not a substitute.
    assert_eq!(
        pyjson::loads_str(r#"["\ud800x"]"#)
            .expect_err("lone")
            .to_string(),
        "unpaired surrogate escape at char 2 (not representable)"
    );
    let deep = "[".repeat(pyjson::MAX_DEPTH + 1);
    assert!(matches!(
        pyjson::loads_str(&deep),
        Err(pyjson::JsonError::TooDeep { .. })
    ));
    // requests' `json=` bodies: allow_nan=False.
    let strict = DumpOptions {
        ensure_ascii: true,
        allow_nan: false,
    };
    assert_eq!(
        pyjson::dumps_with(&PyJson::from(vec![f64::NAN]), strict)
            .expect_err("nan")
            .to_string(),
        "Out of range float values are not JSON compliant"
    );
    // Building values: dict insertion order, re-insertion in place.
    let object = PyObject::new()
        .with("z", 1)
        .with("a", Some("x"))
        .with("z", None::<i64>)
        .with("big", u128::MAX);
    assert_eq!(
        PyJson::from(object).to_string(),
        r#"{"z": null, "a": "x", "big": 340282366920938463463374607431768211455}"#
    );
}
