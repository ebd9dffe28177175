//! Reading and validating a collector's configuration for a run: n6 config files (or
//! `--config-dir`), `--n6config-override`, the collector's spec, and `[rabbitmq]` when
//! messages go to the broker. Every problem is reported at once (exit 78).

use serde_json::{Map, Value as Json};

use crate::cli::{Cli, OutputTarget};
use crate::collector::StatefulCollector;
use crate::config::files::{self, Override};
use crate::config::validate::{self, TypedConfig};
use crate::config::{PyValue, Value};
use crate::error::{Error, Result};
use crate::output::{OutputError, Sink};

/// The configuration of one run.
pub(crate) struct LoadedConfig<C: StatefulCollector> {
    /// The collector's typed config.
    pub(crate) config: C::Config,
    /// What `--print-config` shows: `{section: {option: value}}`, secrets redacted.
    pub(crate) printable: Json,
    /// Broker settings, when the files have a `[rabbitmq]` section.
    pub(crate) amqp: Option<AmqpConfig>,
}

/// Broker settings from `[rabbitmq]`.
pub(crate) struct AmqpConfig {
    _private: (),
}

/// Opens the AMQP output.
pub(crate) fn open_amqp(
    config: Option<&AmqpConfig>,
) -> std::result::Result<Box<dyn Sink>, OutputError> {
    let _ = config;
    Err(OutputError::Unavailable(
        "the AMQP output is not available in this build yet".to_owned(),
    ))
}

/// Reads the config files and validates them against `C`'s spec.
pub(crate) fn load<C: StatefulCollector>(cli: &Cli) -> Result<LoadedConfig<C>> {
    let dirs = if cli.config_dirs.is_empty() {
        files::default_config_dirs()
    } else {
        cli.config_dirs.clone()
    };
    let mut overrides = Vec::new();
    let mut problems = Vec::new();
    for item in &cli.n6config_override {
        match Override::parse(item) {
            Ok(o) => overrides.push(o),
            Err(e) => problems.push(format!("--n6config-override {item:?}: {e}")),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Usage(problems.join("; ")));
    }
    let (raw, warnings) = files::load(&dirs, &overrides).map_err(|e| match e {
        files::ConfigLoadError::Ini(errors) => {
            Error::Config(errors.0.iter().map(ToString::to_string).collect())
        }
    })?;
    for warning in warnings {
        tracing::warn!("{warning}");
    }

    let spec = C::config_spec();
    let custom = C::custom_converters();
    let (typed, warnings) =
        validate::validate(&spec, &raw, &custom).map_err(|e| Error::Config(e.lines()))?;
    for warning in warnings {
        tracing::warn!("{warning}");
    }

    let has_rabbitmq = raw.sections.contains_key("rabbitmq");
    if cli.output == Some(OutputTarget::Amqp) && !has_rabbitmq && !cli.dry_run {
        return Err(Error::Config(vec![
            "--output amqp needs a [rabbitmq] section in the config files (host, port, heartbeat_interval, ssl)".to_owned(),
        ]));
    }
    let amqp = None;

    let printable = printable_config(&typed);
    let config = C::build_config(typed).map_err(Error::Bug)?;
    Ok(LoadedConfig {
        config,
        printable,
        amqp,
    })
}

/// Option names whose values are secrets: never printed, never logged.
pub fn is_secret_option(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("password")
        || name.contains("secret")
        || name.contains("token")
        || name == "key"
        || name.ends_with("_key")
        || name.ends_with("api_key")
}

/// `{section: {option: value}}` with converted values and secrets as `"***"`.
fn printable_config(typed: &TypedConfig) -> Json {
    let mut sections = Map::new();
    for (section_name, section) in typed.sections() {
        let mut options = Map::new();
        for (name, value) in section.values() {
            let shown = if is_secret_option(name) {
                Json::String("***".to_owned())
            } else {
                value_to_json(value)
            };
            options.insert(name.to_owned(), shown);
        }
        sections.insert(section_name.to_owned(), Json::Object(options));
    }
    Json::Object(sections)
}

/// A converted config value as JSON (dates as ISO 8601 strings, bytes as lossy text).
pub fn value_to_json(value: &Value) -> Json {
    match value {
        Value::Str(s) => Json::String(s.clone()),
        Value::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => float_to_json(*f),
        Value::Date(d) => Json::String(d.to_string()),
        Value::DateTime(dt) => Json::String(format!("{} {}", dt.date(), dt.time())),
        Value::Path(p) => Json::String(p.display().to_string()),
        Value::List(items) => Json::Array(items.iter().map(value_to_json).collect()),
        Value::Py(py) => py_to_json(py),
        Value::PyNamespacesDict(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), py_to_json(v)))
                .collect(),
        ),
        Value::Json(j) => j.clone(),
        Value::DownloadTimeout(connect, read) => {
            Json::Array(vec![float_to_json(*connect), float_to_json(*read)])
        }
        Value::Custom(_) => Json::String("<custom value>".to_owned()),
    }
}

fn float_to_json(f: f64) -> Json {
    serde_json::Number::from_f64(f)
        .map(Json::Number)
        .unwrap_or_else(|| Json::String(f.to_string()))
}

fn py_to_json(value: &PyValue) -> Json {
    match value {
        PyValue::None => Json::Null,
        PyValue::Bool(b) => Json::Bool(*b),
        PyValue::Int(i) => Json::from(*i),
        PyValue::Float(f) => float_to_json(*f),
        PyValue::Complex(re, im) => Json::String(format!("({re}+{im}j)")),
        PyValue::Str(s) => Json::String(s.clone()),
        PyValue::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
        PyValue::Tuple(items) | PyValue::List(items) | PyValue::Set(items) => {
            Json::Array(items.iter().map(py_to_json).collect())
        }
        PyValue::Dict(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        PyValue::Str(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    (key, py_to_json(v))
                })
                .collect(),
        ),
    }
}

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
        ] {
            assert!(is_secret_option(name), "{name}");
        }
        for name in ["url", "ssl_keyfile", "state_dir", "keyword", "username"] {
            assert!(!is_secret_option(name), "{name}");
        }
    }

    #[test]
    fn values_render_as_json() {
        assert_eq!(value_to_json(&Value::Int(3)), Json::from(3));
        assert_eq!(
            value_to_json(&Value::List(vec![
                Value::Bool(true),
                Value::Str("a".into())
            ])),
            serde_json::json!([true, "a"])
        );
        assert_eq!(
            value_to_json(&Value::DownloadTimeout(12.1, 25.0)),
            serde_json::json!([12.1, 25.0])
        );
        assert_eq!(
            value_to_json(&Value::PyNamespacesDict(vec![(
                "k".into(),
                PyValue::Int(42)
            )])),
            serde_json::json!({"k": 42})
        );
    }
}
