//! `helpers::archive` against n6's own expressions run by `python3` on the same bytes
//! (`archive_cases.py`): same output, or the error matching Python's exception; and the
//! size limit stops bombs that Python would unpack whole.

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use n6_collectors::helpers::archive::{self, ArchiveError, Limits};

fn run(op: &str, data: &[u8], arg: Option<&str>, limits: Limits) -> Result<Vec<u8>, ArchiveError> {
    match op {
        "unzip_one_named" => archive::unzip_one_named(data, arg.expect("name"), limits),
        "unzip_only_member" => archive::unzip_only_member(data, limits),
        "unzip_first_member" => archive::unzip_first_member(data, limits),
        "unzip_member" => archive::unzip_member(data, arg.expect("name"), limits),
        "bz2_decompress" => archive::bz2_decompress(data, limits),
        "bz2_decompress_or_raw" => archive::bz2_decompress_or_raw(data, limits),
        "gunzip" => archive::gunzip(data, limits),
        "gunzip_if_magic" => archive::gunzip_if_magic(data, limits),
        other => panic!("unknown op {other}"),
    }
}

/// Which of our errors stands for Python's exception in that operation.
fn matches_python(error: &ArchiveError, python: &str) -> bool {
    matches!(
        (python, error),
        (
            "ValueError",
            ArchiveError::MemberCount { .. } | ArchiveError::Bz2Truncated
        ) | ("IndexError", ArchiveError::MemberCount { .. })
            | ("KeyError", ArchiveError::NoSuchMember { .. })
            | ("BadZipFile", ArchiveError::Zip(_))
            | ("OSError", ArchiveError::Bz2Invalid(_))
            | ("BadGzipFile" | "EOFError", ArchiveError::Gzip(_))
            | ("TooLarge", ArchiveError::TooLarge { .. })
    )
}

#[test]
fn n6s_member_rules_and_decompression_match_python() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/formats/archive_cases.py");
    let output = Command::new("python3")
        .arg(script)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut count = 0;
    for line in String::from_utf8(output.stdout).expect("ascii").lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("case");
        let op = case["op"].as_str().expect("op");
        let arg = case["arg"].as_str();
        let data = b64
            .decode(case["input"].as_str().expect("input"))
            .expect("b64");
        let limits = case["limit"]
            .as_u64()
            .map_or(Limits::default(), Limits::max_size);
        let ours = run(op, &data, arg, limits);
        match (case["error"].as_str(), ours) {
            (None, Ok(out)) => {
                let expected = b64
                    .decode(case["output"].as_str().expect("output"))
                    .expect("b64");
                assert_eq!(out, expected, "{op} {arg:?}");
            }
            (Some(python), Err(e)) => {
                assert!(
                    matches_python(&e, python),
                    "{op} {arg:?}: Python {python}, ours {e}"
                )
            }
            (python, ours) => panic!("{op} {arg:?}: Python {python:?}, ours {ours:?}"),
        }
        count += 1;
    }
    assert!(count >= 45, "{count} cases");
}

#[test]
fn errors_say_what_and_become_bad_data() {
    let limits = Limits::max_size(10);
    let gz = {
        use std::io::Write;
        let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        w.write_all(&[b'x'; 100]).expect("write");
        w.finish().expect("finish")
    };
    let error = archive::gunzip(&gz, limits).expect_err("bomb");
    assert_eq!(
        error.to_string(),
        "gzip data: the decompressed data exceeds the limit of 10 bytes"
    );
    let error: n6_collectors::Error = error.into();
    assert_eq!(error.exit_code(), 65);
    assert_eq!(
        archive::gunzip(b"\x1f\x8b", Limits::default())
            .map_err(|e| e.to_string())
            .expect_err("short"),
        "invalid gzip data: unexpected end of file"
    );
    assert!(archive::is_gzip(&gz) && !archive::is_gzip(b"x"));
}
