//! Reading and validating a collector's configuration for a run: n6 config files (or
//! `--config-dir`), `--n6config-override`, the collector's spec, and `[rabbitmq]` when
//! messages go to the broker. Every problem is reported at once (exit 78).

use serde_json::{Map, Value as Json};

use crate::collector::StatefulCollector;
use crate::config::Value;
use crate::config::raw::RawConfig;
use crate::config::spec::Spec;
use crate::config::validate::{self, TypedConfig};
use crate::error::{Error, Result};
use crate::run::cli::Cli;
use crate::sink::SinkTarget;
use crate::sink::amqp::{
    AMQP_OPTIONS_CONFIG_SPEC, AMQP_OPTIONS_SECTION, AmqpOptions, AmqpSettings,
    RABBITMQ_CONFIG_SPEC, RabbitmqSection, derive_settings,
};
use crate::state::{BackendChoice, STATE_CONFIG_SPEC, STATE_SECTION};
use n6_collectors_config::files::{self, Override};
use n6_collectors_config::secret_source::resolve_external_secrets;

/// The configuration of one run.
pub(crate) struct LoadedConfig<C: StatefulCollector> {
    /// The collector's typed config.
    pub(crate) config: C::Config,
    /// What `--print-config` shows: `{section: {option: value}}`, secrets redacted.
    pub(crate) printable: Json,
    /// Broker settings, when the files have a `[rabbitmq]` section.
    pub(crate) amqp: Option<AmqpSettings>,
    /// How many selected config files could not be read (any of them may have held
    /// `[rabbitmq]`).
    pub(crate) unreadable_files: usize,
    /// `[n6_collectors_metrics] textfile_dir`, when given (not empty).
    pub(crate) metrics_textfile_dir: Option<std::path::PathBuf>,
    /// Where the state lives (`[n6_collectors_state]`; files when the section is absent).
    pub(crate) state_backend: BackendChoice,
}

/// Reads the config files and validates them against `C`'s spec (and `[rabbitmq]` when
/// the run publishes to the broker). Every problem is reported at once. `main_section`
/// (from the command line) replaces the struct name as the main section's name.
pub(crate) fn load<C: StatefulCollector>(
    cli: &Cli,
    main_section: Option<&str>,
) -> Result<LoadedConfig<C>> {
    let (raw, unreadable_files, mut problems) = read_config_files(cli)?;
    let main = main_section.unwrap_or(C::META.name);
    let typed = validate_collector_config::<C>(&raw, main, &mut problems);
    let mut printable = Map::new();
    let amqp = broker_settings(
        cli,
        &raw,
        typed.as_ref(),
        main,
        &mut printable,
        &mut problems,
    );
    let metrics_textfile_dir = metrics_options(&raw, &mut printable, &mut problems);
    let state_backend = if raw.sections.contains_key(STATE_SECTION) {
        state_backend(&raw, &mut printable, &mut problems)
    } else {
        BackendChoice::File
    };
    let Some(typed) = typed.filter(|_| problems.is_empty()) else {
        return Err(Error::Config(problems));
    };

    add_printable(&typed, &mut printable);
    let mut typed = typed;
    typed.rename_section(main, C::META.name);
    let config = C::build_config(typed).map_err(Error::Bug)?;
    Ok(LoadedConfig {
        config,
        printable: Json::Object(printable),
        amqp,
        unreadable_files,
        metrics_textfile_dir,
        state_backend,
    })
}

/// Reads the config files (`--config-dir`, or the default directories) with the
/// `--n6config-override`s applied and external secrets resolved, logging the files'
/// warnings. Returns the raw config, how many selected files could not be read, and the
/// problems found so far (unresolvable secrets). A missing `--config-dir`, a bad
/// override or a malformed file is an error right away.
fn read_config_files(cli: &Cli) -> Result<(RawConfig, usize, Vec<String>)> {
    let dirs = if cli.config_dirs.is_empty() {
        files::default_config_dirs()
    } else {
        cli.config_dirs.clone()
    };
    let mut overrides = Vec::new();
    let mut problems: Vec<String> = missing_config_dirs(&cli.config_dirs);
    if !problems.is_empty() {
        return Err(Error::Config(problems));
    }
    for item in &cli.n6config_override {
        match Override::parse(item) {
            Ok(o) => overrides.push(o),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Usage(problems.join("; ")));
    }
    let report = files::load_reporting(&dirs, &overrides).map_err(|e| match e {
        files::ConfigLoadError::Ini(errors) => {
            Error::Config(errors.0.iter().map(ToString::to_string).collect())
        }
    })?;
    let mut raw = report.config;
    problems.extend(resolve_external_secrets(&mut raw, &|name| {
        std::env::var(name).ok()
    }));
    for warning in report.warnings {
        tracing::warn!("{warning}");
    }
    warn_about_miscased_rabbitmq(&raw);
    Ok((raw, report.unreadable.len(), problems))
}

/// Validates the files against `C`'s spec, its main section named `main` (logging the
/// warnings); `None` with the problems in `problems` when invalid.
fn validate_collector_config<C: StatefulCollector>(
    raw: &RawConfig,
    main: &str,
    problems: &mut Vec<String>,
) -> Option<TypedConfig> {
    let mut spec = C::config_spec();
    for section in &mut spec.sections {
        if section.name == C::META.name {
            section.name = main.to_owned();
        }
    }
    match validate::validate(&spec, raw, &C::custom_converters()) {
        Ok((typed, warnings)) => {
            for warning in warnings {
                tracing::warn!("{warning}");
            }
            Some(typed)
        }
        Err(errors) => {
            problems.extend(errors.lines());
            None
        }
    }
}

/// The broker settings when the run publishes to the broker (`None` otherwise, or when
/// they are invalid). Their problems go *before* the others in `problems`, as n6 reads
/// `[rabbitmq]` first; the collector's own `heartbeat_interval` (in the validated
/// `typed` main section) replaces `[rabbitmq]`'s.
fn broker_settings(
    cli: &Cli,
    raw: &RawConfig,
    typed: Option<&TypedConfig>,
    main: &str,
    printable: &mut Map<String, Json>,
    problems: &mut Vec<String>,
) -> Option<AmqpSettings> {
    let has_rabbitmq = raw.sections.contains_key("rabbitmq");
    if cli.sink_target(has_rabbitmq) != SinkTarget::Amqp {
        return None;
    }
    if !has_rabbitmq {
        problems.insert(
            0,
            "--output amqp needs a [rabbitmq] section (host, port, heartbeat_interval, ssl) \
             in the config files"
                .to_owned(),
        );
        return None;
    }
    let heartbeat = typed
        .and_then(|t| t.section(main))
        .and_then(|s| s.get("heartbeat_interval"))
        .and_then(|v| match v {
            Value::Int(i) => Some(*i),
            _ => None,
        });
    // n6 reads [rabbitmq] first, so its problems come first.
    let mut amqp_problems = Vec::new();
    let amqp = amqp_settings(raw, heartbeat, printable, &mut amqp_problems);
    problems.splice(0..0, amqp_problems);
    amqp
}

/// Validates `[n6_collectors_state]` and chooses the state backend; problems go to
/// `problems`.
pub(crate) fn state_backend(
    raw: &RawConfig,
    printable: &mut Map<String, Json>,
    problems: &mut Vec<String>,
) -> BackendChoice {
    let spec = match Spec::parse(STATE_CONFIG_SPEC, STATE_SECTION) {
        Ok(spec) => spec,
        Err(errors) => {
            problems.extend(errors.iter().map(|e| {
                format!(
                    "internal [{STATE_SECTION}] spec, line {}: {}",
                    e.line, e.message
                )
            }));
            return BackendChoice::File;
        }
    };
    let typed = match validate::validate(&spec, raw, &[]) {
        Ok((typed, _absent_optional_sections)) => typed,
        Err(errors) => {
            problems.extend(errors.lines());
            return BackendChoice::File;
        }
    };
    add_printable(&typed, printable);
    let values = typed
        .section(STATE_SECTION)
        .map(|s| s.values().collect::<Vec<_>>())
        .unwrap_or_default();
    match BackendChoice::from_values(values) {
        Ok(choice) => choice,
        Err(errors) => {
            problems.extend(errors);
            BackendChoice::File
        }
    }
}

/// One problem line for each `--config-dir` that is not a directory (a typo there would
/// otherwise read no file and report every option as missing).
fn missing_config_dirs(dirs: &[std::path::PathBuf]) -> Vec<String> {
    dirs.iter()
        .filter(|dir| !dir.is_dir())
        .map(|dir| {
            let what = if dir.exists() {
                "is not a directory"
            } else {
                "does not exist"
            };
            format!("--config-dir {}: {what}", dir.display())
        })
        .collect()
}

/// Validates the site-wide `[n6_collectors_metrics]` section, when there is one, and
/// returns its `textfile_dir` (`None` when absent or empty).
fn metrics_options(
    raw: &RawConfig,
    printable: &mut Map<String, Json>,
    problems: &mut Vec<String>,
) -> Option<std::path::PathBuf> {
    use crate::run::metrics::{METRICS_CONFIG_SPEC, METRICS_SECTION};
    if !raw.sections.contains_key(METRICS_SECTION) {
        return None;
    }
    let spec = match Spec::parse(METRICS_CONFIG_SPEC, METRICS_SECTION) {
        Ok(spec) => spec,
        Err(errors) => {
            problems.extend(errors.iter().map(|e| {
                format!(
                    "internal [{METRICS_SECTION}] spec, line {}: {}",
                    e.line, e.message
                )
            }));
            return None;
        }
    };
    match validate::validate(&spec, raw, &[]) {
        Ok((typed, _)) => {
            add_printable(&typed, printable);
            match typed.section(METRICS_SECTION)?.get("textfile_dir") {
                Some(Value::Str(dir)) if !dir.is_empty() => Some(dir.into()),
                _ => None,
            }
        }
        Err(errors) => {
            problems.extend(errors.lines());
            None
        }
    }
}

/// Section names are case-sensitive (as in n6): `[RabbitMQ]` is not `[rabbitmq]` and is
/// ignored, which an operator should hear about.
fn warn_about_miscased_rabbitmq(raw: &RawConfig) {
    for name in raw.sections.keys() {
        if name != "rabbitmq" && name.eq_ignore_ascii_case("rabbitmq") {
            tracing::warn!(
                "config section [{name}] is not [rabbitmq] (section names are case-sensitive): \
                 it is not read as the broker's settings"
            );
        }
    }
}

/// Validates `[rabbitmq]` and `[n6_collectors_amqp]` and derives the connection
/// settings; problems go to `problems`. `heartbeat_override` is the collector's own
/// `heartbeat_interval`, which replaces `[rabbitmq]`'s as in n6.
fn amqp_settings(
    raw: &RawConfig,
    heartbeat_override: Option<i64>,
    printable: &mut Map<String, Json>,
    problems: &mut Vec<String>,
) -> Option<AmqpSettings> {
    let spec_text = format!("{RABBITMQ_CONFIG_SPEC}{AMQP_OPTIONS_CONFIG_SPEC}");
    let spec = match Spec::parse(&spec_text, "rabbitmq") {
        Ok(spec) => spec,
        Err(errors) => {
            problems.extend(
                errors
                    .iter()
                    .map(|e| format!("internal [rabbitmq] spec, line {}: {}", e.line, e.message)),
            );
            return None;
        }
    };
    let typed = match validate::validate(&spec, raw, &[]) {
        Ok((typed, _absent_optional_sections)) => typed,
        Err(errors) => {
            problems.extend(errors.lines());
            return None;
        }
    };
    add_printable(&typed, printable);
    let values = |name: &str| -> Vec<(&str, &Value)> {
        typed
            .section(name)
            .map(|s| s.values().collect())
            .unwrap_or_default()
    };
    let result = RabbitmqSection::from_values(values("rabbitmq")).and_then(|section| {
        let options = AmqpOptions::from_values(values(AMQP_OPTIONS_SECTION))?;
        derive_settings(&section, heartbeat_override, &options, &mut |w| {
            tracing::warn!("{w}")
        })
    });
    match result {
        Ok(settings) => {
            // Read the TLS files now, so a bad path is a configuration error before any
            // work is done, not a failure at the first publish.
            if let Some(tls) = &settings.tls
                && let Err(e) = crate::sink::amqp::tls::client_config(tls)
            {
                problems.push(format!("[rabbitmq]: {e}"));
                return None;
            }
            Some(settings)
        }
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    }
}

use n6_collectors_config::secret::is_secret_option;

/// Adds `{section: {option: value}}` with converted values and secrets as `"***"`.
fn add_printable(typed: &TypedConfig, sections: &mut Map<String, Json>) {
    for (section_name, section) in typed.sections() {
        let mut options = Map::new();
        for (name, value) in section.values() {
            // A flag such as `password_auth` holds no secret: shown as it is.
            let shown = if is_secret_option(name) && !matches!(value, Value::Bool(_)) {
                Json::String(n6_collectors_config::secret::REDACTED.to_owned())
            } else {
                value.to_json()
            };
            options.insert(name.to_owned(), shown);
        }
        sections.insert(section_name.to_owned(), Json::Object(options));
    }
}
