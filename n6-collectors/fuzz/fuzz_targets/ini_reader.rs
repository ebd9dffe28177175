//! The INI reader on arbitrary bytes: never panics, whatever the files hold.
//!
//! The input is split at NUL bytes into up to four "files" read in order into one
//! reader, so merging sections across files and interpolation against values of later
//! files are exercised too. Every problem must come back as an `IniError` (with a line
//! number inside its file), never as a panic.

#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use n6_collectors_config::ini::IniReader;

fuzz_target!(|data: &[u8]| {
    let files: Vec<&[u8]> = data.split(|&b| b == 0).take(4).collect();
    let paths: Vec<PathBuf> = (0..files.len())
        .map(|i| PathBuf::from(format!("/etc/n6/{i:02}_fuzz.conf")))
        .collect();
    let mut reader = IniReader::new();
    for (path, bytes) in paths.iter().zip(&files) {
        reader.read_bytes(path, bytes);
    }
    match reader.finish() {
        Ok(config) => {
            for section in config.sections.values() {
                for raw in section.options.values() {
                    std::hint::black_box(raw.value.len());
                }
            }
        }
        Err(errors) => {
            assert!(
                !errors.0.is_empty(),
                "finish() failed without naming a problem"
            );
            for error in &errors.0 {
                let index = paths
                    .iter()
                    .position(|p| *p == error.path)
                    .expect("an error names a file that was not read");
                // A file of n bytes has at most n + 1 lines.
                assert!(
                    error.line <= files[index].len() + 1,
                    "line {} outside a file of {} bytes",
                    error.line,
                    files[index].len()
                );
            }
            std::hint::black_box(errors.to_string());
        }
    }
});
