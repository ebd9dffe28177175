//! Which config options hold secrets: their values are never printed (`--print-config`,
//! logs, error lines, `Debug` of generated config structs).

/// True for option names that hold secrets: containing `password`, `secret` or `token`,
/// named `key`, or ending in `_key` (n6's `api_key`, `misp_key`). Case-insensitive.
/// (`ssl_keyfile` is a path, not a secret.)
pub fn is_secret_option(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("password")
        || name.contains("secret")
        || name.contains("token")
        || name == "key"
        || name.ends_with("_key")
}

/// What is shown instead of a secret value.
pub const REDACTED: &str = "***";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_recognised() {
        for name in [
            "password",
            "rabbitmq_password",
            "api_key",
            "misp_key",
            "client_secret",
            "token",
            "API_TOKEN",
        ] {
            assert!(is_secret_option(name), "{name}");
        }
        for name in ["url", "ssl_keyfile", "state_dir", "keyword", "username"] {
            assert!(!is_secret_option(name), "{name}");
        }
    }
}
