//! Pickles made by the machine's `python3`, as n6's Python collectors write them.

use std::process::Command;

/// `pickle.dumps(expr, protocol=protocol)` made by the machine's `python3` (CPython 3.11,
/// n6's runtime); `prelude` runs first (imports, stand-in classes).
pub fn python_pickle(prelude: &str, expr: &str, protocol: u8) -> Vec<u8> {
    let code = format!(
        "import datetime, pickle, sys\n{prelude}\nsys.stdout.buffer.write(pickle.dumps({expr}, protocol={protocol}))"
    );
    let out = Command::new("python3")
        .args(["-c", &code])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
