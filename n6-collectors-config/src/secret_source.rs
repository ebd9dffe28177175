//! Secrets kept outside the INI files, so a config file can be shared (with n6's Python
//! components, in a repository, in a ConfigMap) without the secrets in it.
//!
//! Two forms, for any option that [`is_secret_option`] names a secret:
//!
//! * `<option>_file = PATH` — the secret is the content of `PATH`, read at start, with one
//!   trailing line break (`\n` or `\r\n`) removed: systemd credentials
//!   (`$CREDENTIALS_DIRECTORY/...`), Kubernetes secrets mounted as files. The `_file`
//!   option is replaced by `<option>`, so the collector's spec sees only `<option>`.
//! * `<option> = ${ENV_VAR}` — the whole value names an environment variable, whose value
//!   is the secret.
//!
//! Giving both `<option>` and `<option>_file` in one section is an error, as are a file
//! that cannot be read, a file that is not UTF-8 and a variable that is not set. Every
//! problem names the file and line of the option (never the secret).

use std::path::Path;

use crate::raw::{RawConfig, RawOption};
use crate::secret::is_secret_option;

/// The suffix of an option that gives the path of a file holding a secret.
pub const SECRET_FILE_SUFFIX: &str = "_file";

/// Replaces `<secret>_file = PATH` options by `<secret>` = the file's content, and
/// `<secret> = ${VAR}` values by the variable's value (`env` looks variables up).
/// Returns one operator line per problem; options with problems are left out.
pub fn resolve_external_secrets(
    config: &mut RawConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (section_name, section) in &mut config.sections {
        let file_options: Vec<String> = section
            .options
            .keys()
            .filter(|name| secret_of_file_option(name).is_some())
            .cloned()
            .collect();
        for file_option in file_options {
            let Some(raw) = section.options.remove(&file_option) else {
                continue;
            };
            let secret = secret_of_file_option(&file_option).unwrap_or_default();
            let here = |message: String| {
                format!("{}: [{section_name}] {file_option}: {message}", raw.origin)
            };
            if let Some(direct) = section.options.get(secret) {
                problems.push(here(format!(
                    "give the secret either as {secret} ({}) or as {file_option}, not both",
                    direct.origin
                )));
                section.options.remove(secret);
                continue;
            }
            match read_secret_file(Path::new(&raw.value)) {
                Ok(value) => {
                    section.options.insert(
                        secret.to_owned(),
                        RawOption {
                            value,
                            origin: raw.origin.clone(),
                        },
                    );
                }
                Err(message) => problems.push(here(message)),
            }
        }
        let mut unset = Vec::new();
        for (name, option) in &mut section.options {
            if !is_secret_option(name) {
                continue;
            }
            let Some(variable) = env_reference(&option.value) else {
                continue;
            };
            match env(variable) {
                Some(value) => option.value = value,
                None => {
                    problems.push(format!(
                        "{}: [{section_name}] {name}: the environment variable {variable} \
                         (named by ${{{variable}}}) is not set",
                        option.origin
                    ));
                    unset.push(name.clone());
                }
            }
        }
        for name in unset {
            section.options.remove(&name);
        }
    }
    problems
}

/// The secret option that `name` (`<secret>_file`) gives the file of, if it is one.
fn secret_of_file_option(name: &str) -> Option<&str> {
    name.strip_suffix(SECRET_FILE_SUFFIX)
        .filter(|secret| !secret.is_empty() && is_secret_option(secret))
}

/// The variable a value of the form `${NAME}` names (letters, digits, `_`; not starting
/// with a digit).
fn env_reference(value: &str) -> Option<&str> {
    let name = value.strip_prefix("${")?.strip_suffix('}')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    let valid = (first == '_' || first.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric());
    valid.then_some(name)
}

fn read_secret_file(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut text =
        String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", path.display()))?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::Origin;
    use std::path::PathBuf;

    fn at(line: usize) -> Origin {
        Origin::File {
            path: PathBuf::from("/etc/n6/60_x.conf"),
            line,
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn value(config: &RawConfig, section: &str, option: &str) -> Option<String> {
        config
            .sections
            .get(section)?
            .options
            .get(option)
            .map(|o| o.value.clone())
    }

    #[test]
    fn a_file_option_becomes_the_secret_without_its_trailing_newline() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cret\r\n").expect("write the secret file");
        let mut config = RawConfig::default();
        config.set(
            "rabbitmq",
            "password_file",
            &file.display().to_string(),
            at(3),
        );
        config.set("rabbitmq", "host", "localhost", at(2));
        let problems = resolve_external_secrets(&mut config, &no_env);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            value(&config, "rabbitmq", "password").as_deref(),
            Some("s3cret")
        );
        assert_eq!(value(&config, "rabbitmq", "password_file"), None);
        let origin = config.sections["rabbitmq"].options["password"]
            .origin
            .clone();
        assert_eq!(
            origin,
            at(3),
            "the secret keeps the origin of its _file option"
        );
    }

    #[test]
    fn file_options_of_non_secrets_are_left_alone() {
        let mut config = RawConfig::default();
        config.set("c", "log_file", "/var/log/x", at(1));
        config.set("c", "ssl_keyfile", "/k.pem", at(2));
        assert!(resolve_external_secrets(&mut config, &no_env).is_empty());
        assert_eq!(
            value(&config, "c", "log_file").as_deref(),
            Some("/var/log/x")
        );
        assert_eq!(
            value(&config, "c", "ssl_keyfile").as_deref(),
            Some("/k.pem")
        );
    }

    #[test]
    fn both_forms_and_unreadable_files_are_errors_naming_the_option() {
        let mut config = RawConfig::default();
        config.set("c", "api_key", "hunter2", at(1));
        config.set("c", "api_key_file", "/nonexistent/key", at(2));
        config.set("c", "token_file", "/nonexistent/token", at(3));
        let problems = resolve_external_secrets(&mut config, &no_env);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0]
                .starts_with("/etc/n6/60_x.conf:2: [c] api_key_file: give the secret either")
        );
        assert!(
            problems[1]
                .starts_with("/etc/n6/60_x.conf:3: [c] token_file: cannot read /nonexistent/token")
        );
        assert!(
            !problems.iter().any(|p| p.contains("hunter2")),
            "the secret is never shown"
        );
    }

    #[test]
    fn env_references_in_secret_options_are_resolved() {
        let mut config = RawConfig::default();
        config.set("c", "password", "${N6_PW}", at(1));
        config.set("c", "misp_key", "${MISSING}", at(2));
        config.set("c", "url", "${NOT_A_SECRET}", at(3));
        let env = |name: &str| (name == "N6_PW").then(|| "from-env".to_owned());
        let problems = resolve_external_secrets(&mut config, &env);
        assert_eq!(
            problems,
            [
                "/etc/n6/60_x.conf:2: [c] misp_key: the environment variable MISSING (named by ${MISSING}) is not set"
            ]
        );
        assert_eq!(value(&config, "c", "password").as_deref(), Some("from-env"));
        assert_eq!(
            value(&config, "c", "url").as_deref(),
            Some("${NOT_A_SECRET}")
        );
    }

    #[test]
    fn only_whole_values_of_the_reference_form_are_references() {
        assert_eq!(env_reference("${A_1}"), Some("A_1"));
        for value in ["${}", "${1A}", "x${A}", "${A}x", "$A", "${A-B}"] {
            assert_eq!(env_reference(value), None, "{value}");
        }
    }
}
