//! The `information` client property n6 sends when it connects (`n6lib.amqp_helpers.get_n6_default_client_properties_for_amqp_connection`), so
//! that broker operators see which collector holds a connection:
//! `Host: <short hostname>, PID: <pid>, script: <name>, args: [...], modified: <mtime>`.

use std::path::Path;

use super::pyrepr::ascii_str;

/// The `information` string for this process.
pub(crate) fn information() -> String {
    let exe = std::env::current_exe().ok();
    let script = std::env::args_os()
        .next()
        .and_then(|arg0| {
            Path::new(&arg0)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    format_information(
        &short_hostname(),
        std::process::id(),
        &script,
        &args,
        exe.as_deref().and_then(mtime_utc).as_deref(),
    )
}

/// n6's format; `script` is cut at its first `.`, `modified` is `UNKNOWN` when absent.
pub(crate) fn format_information(
    hostname: &str,
    pid: u32,
    script: &str,
    args: &[String],
    modified: Option<&str>,
) -> String {
    let script = script.split('.').next().unwrap_or_default();
    let args: Vec<String> = args.iter().map(|a| ascii_str(a)).collect();
    format!(
        "Host: {}, PID: {pid}, script: {}, args: [{}], modified: {}",
        ascii_only(hostname),
        ascii_only(script),
        args.join(", "),
        modified.unwrap_or("UNKNOWN")
    )
}

/// n6's `ascii_str`: non-ASCII characters as backslash escapes.
fn ascii_only(s: &str) -> String {
    let quoted = ascii_str(s);
    // Strip the quotes `ascii_str` adds and undo the quote escaping it may have done.
    quoted[1..quoted.len() - 1].replace("\\'", "'")
}

fn short_hostname() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    name.trim().split('.').next().unwrap_or_default().to_owned()
}

fn mtime_utc(path: &Path) -> Option<String> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let time = time::UtcDateTime::from(modified);
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    time.format(&format).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn information_has_n6s_shape() {
        assert_eq!(
            format_information(
                "host",
                42,
                "n6collector_abuse.ch",
                &["--n6config-override".into(), "a.b=ż".into()],
                Some("2024-01-02 03:04:05Z"),
            ),
            "Host: host, PID: 42, script: n6collector_abuse, args: ['--n6config-override', 'a.b=\\u017c'], modified: 2024-01-02 03:04:05Z"
        );
        assert_eq!(
            format_information("h", 1, "x", &[], None),
            "Host: h, PID: 1, script: x, args: [], modified: UNKNOWN"
        );
    }
}
