//! The run lifecycle: command line → configuration → lock → state → collect → confirm →
//! save → one-line summary. See [`run`].
//!
//! * [`cli`] — the command line every collector binary accepts;
//! * [`configure`] — config files, overrides, the collector's spec, `[rabbitmq]`;
//! * [`signal`] — SIGINT/SIGTERM stop the run at its next safe point;
//! * [`logging`] — the stderr log subscriber;
//! * [`summary`] — the one-line summary and its counters;
//! * [`metrics`] — run tracking: the run record and the Prometheus textfile.

pub mod cli;
pub(crate) mod configure;
pub(crate) mod logging;
pub(crate) mod metrics;
pub(crate) mod signal;
pub(crate) mod summary;

use std::io::IsTerminal;
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;
use std::time::Instant;

use clap::error::ErrorKind;

use self::cli::Cli;
use self::configure::LoadedConfig;
use self::metrics::RunTracking;
use self::summary::Summary;
use crate::collector::{Collect, StatefulCollector};
use crate::error::{Error, Result};
use crate::exit;
use crate::helpers::download::DownloadHistory;
use crate::message::DEFAULT_EXCHANGE;
use crate::output::Output;
use crate::sink::{self, LazySink};
use crate::state::{
    Activity, HeldRun, StateBackend, StateSaver, StateStore, adopt_legacy_state_file,
};

/// Runs collector `C` as a command-line program and returns its exit code.
///
/// ```no_run
/// # use n6_collectors::prelude::*;
/// # fn demo<C: Collect>() -> std::process::ExitCode {
/// n6_collectors::run::<C>()
/// # }
/// ```
///
/// The steps: parse the command line (see `--help`); read and validate the configuration
/// (every problem at once, exit 78); take the collector's lock (exit 75 when another run
/// holds it); load the state (a missing file gives the default state, a bad one exit 65);
/// call [`Collect::collect`]; wait until the output confirmed every message; save the
/// state atomically if it changed; print a one-line summary to stderr.
pub fn run<C: Collect>() -> ExitCode {
    ExitCode::from(run_from::<C, _, _>(std::env::args_os()))
}

/// Parses the command line; `--help` names the collector (source, config section, state
/// file or, without state, the run lock) and `--version` prints the n6-collectors version.
fn parse_command_line<C, I, T>(args: I) -> std::result::Result<(Cli, C::Args), clap::Error>
where
    C: StatefulCollector,
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::CommandFactory;
    let meta = &C::META;
    let about = if meta.has_state {
        format!(
            "n6 collector {name}: source {source}, config section [{name}], state file {file} \
             in state_dir. Fetches the source, publishes what is new, remembers where it \
             stopped.",
            name = meta.name,
            source = meta.identity.source,
            file = meta.state_file_name(),
        )
    } else {
        format!(
            "n6 collector {name}: source {source}, config section [{name}], no state (run \
             lock {lock}.lock in state_dir). Fetches the source and publishes it.",
            name = meta.name,
            source = meta.identity.source,
            lock = meta.lock_name(),
        )
    };
    let command = Cli::command().name(meta.name).about(about).version(concat!(
        "(n6-collectors ",
        env!("CARGO_PKG_VERSION"),
        ")"
    ));
    self::cli::parse_with_command::<C::Args, _, _>(command, args)
}

/// The state file's name in `state_dir`: [`crate::collector::CollectorMeta::state_file_name`],
/// after moving a file of the older name there (logged). A run that must not change
/// files (`read_only`: `--dry-run`, `--check-config`) reads the older file where it is.
fn state_file_in_use<C: StatefulCollector>(
    state_dir: &std::path::Path,
    read_only: bool,
) -> Result<String> {
    let current = C::META.state_file_name();
    let Some(legacy) = C::META
        .legacy_state_file_name()
        .filter(|_| C::META.has_state)
    else {
        return Ok(current);
    };
    if read_only {
        let legacy_only = state_dir.join(&legacy).exists() && !state_dir.join(&current).exists();
        return Ok(if legacy_only { legacy } else { current });
    }
    // A run of an older version locks the state file of the older name: hold that lock
    // while moving the file, so that the move never happens between such a run's load
    // and its save (75 while it runs, the file left where it is).
    let legacy_path = state_dir.join(&legacy);
    let _older_version_lock = if std::fs::symlink_metadata(&legacy_path).is_ok() {
        Some(crate::state::RunLock::acquire(&legacy_path)?)
    } else {
        None
    };
    adopt_legacy_state_file(state_dir, &legacy, &current).map_err(Error::StateLoad)?;
    Ok(current)
}

/// [`run`] with explicit arguments (the first one is the program name); returns the exit
/// status (see [`crate::exit`]).
pub fn run_from<C, I, T>(args: I) -> u8
where
    C: Collect,
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let (cli, own_args) = match parse_command_line::<C, _, _>(args) {
        Ok(parsed) => parsed,
        Err(e) => {
            let code = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => exit::OK,
                _ => exit::USAGE,
            };
            let _ = e.print();
            return code;
        }
    };
    logging::init(cli.verbose, cli.quiet);
    let name = C::META.name;
    signal::install(name);
    let started = Instant::now();
    let mut tracking = RunTracking::new(name, cli.metrics_file.clone());
    crate::helpers::download::clear_run_meta();
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        execute::<C>(&cli, own_args, &mut tracking)
    }));
    crate::helpers::download::clear_run_meta();
    // A signal's line may have been printed already (the run was ended while blocked).
    let report = signal::claim_report();
    let code = match outcome {
        Ok(Ok(Outcome::Done(summary))) => {
            if report && cli.quiet < 2 {
                eprintln!("{name}: {}", summary.line(started.elapsed()));
            }
            exit::OK
        }
        Ok(Ok(Outcome::Early)) => {
            tracking.cancel();
            exit::OK
        }
        Ok(Ok(Outcome::Skipped(reason))) => {
            tracking.cancel();
            if cli.quiet < 2 {
                eprintln!("{name}: {reason}");
            }
            exit::OK
        }
        Ok(Err(error)) => {
            if report {
                eprintln!("{name}: error: {error}");
            }
            error.exit_code()
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            if report {
                eprintln!(
                    "{name}: error: internal error (a bug): panicked: {what}; state not saved"
                );
            }
            exit::SOFTWARE
        }
    };
    tracking.finish(code, started.elapsed());
    code
}

enum Outcome {
    /// `--print-config` / `--check-config` finished.
    Early,
    /// A collection run finished.
    Done(Summary),
    /// Nothing to do: another host collected recently (`fleet_min_interval`).
    Skipped(String),
}

/// One run after the command line: configuration, `--print-config`, the state backend,
/// a `state ...` command, the output, lock and load, `--check-config`, the fleet check,
/// then collect, confirm and save.
fn execute<C: Collect>(
    cli: &Cli,
    own_args: C::Args,
    tracking: &mut RunTracking,
) -> Result<Outcome> {
    use self::cli::CollectorArgs;
    // Only collection runs report; read-only commands write nothing, even when they fail.
    if cli.dry_run || cli.check_config || cli.print_config || cli.command.is_some() {
        tracking.cancel();
    }
    let LoadedConfig {
        config,
        printable,
        amqp,
        unreadable_files,
        metrics_textfile_dir,
        state_backend,
    } = configure::load::<C>(cli, own_args.config_section())?;
    tracking.configure(metrics_textfile_dir.as_deref());
    if cli.print_config {
        print_config::<C>(cli, printable)?;
        return Ok(Outcome::Early);
    }
    let state_dir = match &cli.state_dir {
        Some(dir) => dir.clone(),
        None => C::state_dir(&config).to_owned(),
    };
    let access = open_state::<C>(cli, &state_dir, &state_backend)?;
    if let Some(crate::tooling::Command::State(command)) = &cli.command {
        crate::tooling::execute::<C>(command, &*access.backend)?; // takes the lock itself
        return Ok(Outcome::Early);
    }
    let target = output_target(cli, amqp.is_some(), unreadable_files)?;
    let mut held = access.backend.begin()?;
    let (state, migrated, activity, downloads) =
        load_for_run::<C>(&mut *held, &access.local_state_file)?;
    tracking.state_loaded(&access.local_state_file, activity, C::expected_silence());
    let Some(target) = target else {
        report_valid_configuration::<C>(&*held, &access);
        return Ok(Outcome::Early);
    };
    if let Some(reason) = held.skip_reason() {
        tracing::info!("{reason}");
        return Ok(Outcome::Skipped(reason));
    }
    let saver = start_saving::<C>(
        held,
        cli,
        access.written_by,
        (!migrated).then_some(&state),
        downloads,
        tracking,
    )?;
    let collector = C::from_parts(config, state, own_args);
    // Also for a collector without state: its envelope may hold its download history.
    let recorded_state_file = access.is_file.then_some(access.local_state_file.as_path());
    collect_and_save(
        cli,
        tracking,
        saver,
        collector,
        target,
        amqp,
        recorded_state_file,
    )
}

/// Where the messages go; `None` for `--check-config`. Chosen before anything else
/// happens, so a run that cannot tell where its messages should go changes nothing.
fn output_target(
    cli: &Cli,
    has_rabbitmq: bool,
    unreadable_files: usize,
) -> Result<Option<crate::sink::SinkTarget>> {
    if cli.check_config {
        return Ok(None);
    }
    choose_output(
        cli,
        has_rabbitmq,
        std::io::stdout().is_terminal(),
        unreadable_files,
    )
    .map(Some)
}

/// The locked run's state ([`load_state`]), or for a collector without state its
/// download history ([`load_download_history`]).
fn load_for_run<C: StatefulCollector>(
    held: &mut dyn HeldRun,
    local_state_file: &std::path::Path,
) -> Result<(C::State, bool, Option<Activity>, DownloadHistory)> {
    if C::META.has_state {
        load_state::<C>(held, local_state_file)
    } else {
        load_download_history::<C>(held)
    }
}

/// `--print-config`: prints the configuration as JSON (secrets redacted), with
/// `--state-dir` in place of the main section's `state_dir`.
fn print_config<C: StatefulCollector>(cli: &Cli, mut printable: serde_json::Value) -> Result<()> {
    if let Some(dir) = &cli.state_dir
        && let Some(section) = printable
            .get_mut(C::META.name)
            .and_then(serde_json::Value::as_object_mut)
    {
        section.insert("state_dir".to_owned(), dir.display().to_string().into());
    }
    let text = serde_json::to_string_pretty(&printable).map_err(Error::bug)?;
    print_to_stdout(&format!("{text}\n")).map_err(|source| {
        Error::Sink(crate::sink::SinkError::Io {
            path: "-".into(),
            source,
        })
    })
}

/// Where a run's state is and the backend that holds it.
struct StateAccess {
    /// The backend (state file or etcd), not yet locked.
    backend: Box<dyn StateBackend>,
    /// What the run's saves record as `written_by`.
    written_by: String,
    /// Whether the state is in a file (not etcd).
    is_file: bool,
    /// The state file in `state_dir` (with etcd: where it would be); the run record of
    /// run tracking stays beside it, on this host.
    local_state_file: std::path::PathBuf,
}

/// Names the state file in `state_dir` (adopting one of an older name) and opens the
/// chosen backend with the run lock it takes.
fn open_state<C: StatefulCollector>(
    cli: &Cli,
    state_dir: &std::path::Path,
    state_backend: &crate::state::BackendChoice,
) -> Result<StateAccess> {
    let written_by = written_by::<C>();
    let file_name = state_file_in_use::<C>(state_dir, cli.dry_run || cli.check_config)?;
    let store = StateStore::new(state_dir, &file_name, &C::META.collector_id(), &written_by);
    let is_file = *state_backend == crate::state::BackendChoice::File;
    // The run record of run tracking stays on this host, beside where the state file
    // is (or would be, with the etcd backend).
    let local_state_file = store.path().to_owned();
    // Without a `#[state]` field there is no state file: the lock is named after the
    // collector, and nothing is loaded or saved. Read-only runs create neither the state
    // directory nor the lock file.
    let read_only = cli.check_config
        || cli.dry_run
        || matches!(&cli.command, Some(crate::tooling::Command::State(c)) if c.is_read_only());
    let file_lock = (state_dir.join(C::META.lock_name()), read_only);
    let backend = state_backend.backend(store, &written_by, Some(file_lock))?;
    Ok(StateAccess {
        backend,
        written_by,
        is_file,
        local_state_file,
    })
}

/// `--check-config`: says that the configuration (and the state, if any) is valid.
fn report_valid_configuration<C: StatefulCollector>(held: &dyn HeldRun, access: &StateAccess) {
    if !C::META.has_state {
        eprintln!("{}: configuration is valid (no state)", C::META.name);
    } else if access.is_file && !held.location().exists() {
        eprintln!(
            "{}: configuration is valid; no state file yet (first run): {}",
            C::META.name,
            held.location().display()
        );
    } else {
        let what = if access.is_file {
            format!("state file ({})", held.location().display())
        } else {
            format!("state ({})", access.backend.describe())
        };
        eprintln!("{}: configuration and {what} are valid", C::META.name);
    }
}

/// The run's saver over the locked state, starting the run's conditional downloads
/// from the loaded history. `on_disk` is the loaded state unless it was migrated: a
/// migrated state is saved at the end of the run even if nothing else changed, so the
/// file is migrated once, not on every load.
fn start_saving<C: StatefulCollector>(
    held: Box<dyn HeldRun>,
    cli: &Cli,
    written_by: String,
    on_disk: Option<&C::State>,
    downloads: DownloadHistory,
    tracking: &RunTracking,
) -> Result<StateSaver> {
    let mut saver = StateSaver::new(
        held,
        cli.dry_run,
        C::META.collector_id(),
        written_by,
        C::META.state_version,
        on_disk,
    )?;
    if !C::META.has_state {
        saver = saver.stateless();
    }
    saver.set_downloads(downloads.clone());
    crate::helpers::download::conditional::begin_run(downloads);
    if tracking.enabled() {
        saver.set_activity(tracking.prior_activity());
    }
    Ok(saver)
}

/// Runs [`Collect::collect`] into the sink, waits for the confirms, then saves at the
/// end (unless a signal came) and closes the sink. `recorded_state_file`: the state
/// file a `--record` recording keeps a copy of.
fn collect_and_save<C: Collect>(
    cli: &Cli,
    tracking: &mut RunTracking,
    mut saver: StateSaver,
    mut collector: C,
    target: crate::sink::SinkTarget,
    amqp: Option<crate::sink::amqp::AmqpSettings>,
    recorded_state_file: Option<&std::path::Path>,
) -> Result<Outcome> {
    let exchange = format!(
        "{DEFAULT_EXCHANGE}{}",
        cli.n6output_suffix.as_deref().unwrap_or("")
    );
    // `--record` / `--replay`: the run's clock is the recording's from here on.
    let (clock, _recording) = crate::record::start(crate::record::SessionRequest {
        record: cli.record.as_deref(),
        replay: cli.replay.as_deref(),
        collector: C::META.name,
        clock: cli.clock()?,
        state_file: recorded_state_file,
    })?;
    let mut sink = LazySink::new(crate::record::tee_when_recording(sink::opener(
        target,
        amqp,
        exchange.clone(),
    )));
    let unchanged;
    {
        let mut out = Output::new(
            &C::META.identity,
            cli.n6output_suffix.as_deref().unwrap_or(""),
            clock,
            &mut sink,
            &mut saver,
            &mut tracking.stats,
        );
        unchanged = match collector.collect(&mut out) {
            Err(Error::SourceUnchanged(problem)) => Some(problem),
            other => other.map(|()| None)?,
        };
        out.confirm()?;
    }
    signal::stop_if_interrupted()?;
    save_at_end(&mut saver, tracking, unchanged.as_ref(), collector.state())?;
    sink.close()?;
    saver.finish(tracking.stats.messages);
    Ok(Outcome::Done(Summary {
        stats: tracking.stats,
        state_saved: saver.saved(),
        has_state: C::META.has_state,
        output: sink.describe(),
        dry_run: cli.dry_run,
        source_unchanged: unchanged.is_some(),
    }))
}

/// The run's final save, once the output confirmed every message: the state if it
/// changed, the download history of conditional downloads if it changed (only now:
/// never ahead of the confirms), the run history of run tracking. A run that ended
/// because its source was `unchanged` saves nothing.
fn save_at_end<S: serde::Serialize>(
    saver: &mut StateSaver,
    tracking: &mut RunTracking,
    unchanged: Option<&crate::error::Problem>,
    state: &S,
) -> Result<()> {
    let downloads = crate::helpers::download::conditional::end_run();
    if let Some(problem) = unchanged {
        tracing::info!("source unchanged: {problem}; nothing saved");
        if tracking.stats.messages > 0 {
            tracing::warn!(
                "the source was unchanged after {} message(s) of this run were published: \
                 the state is not saved, so the next run publishes them again",
                tracking.stats.messages
            );
        }
        return Ok(());
    }
    if let Some(history) = downloads {
        saver.save_downloads(history);
    }
    if tracking.enabled() && !saver.is_dry_run() {
        // Run tracking keeps the last success in the envelope: save even if unchanged.
        saver.set_activity(tracking.success_activity());
        saver.force_next_save();
    }
    saver.save(state)?;
    Ok(())
}

/// Loads the state, or the default state when there is no state file (logged at WARN);
/// also says whether the file had an older schema version and was migrated.
fn load_state<C: StatefulCollector>(
    held: &mut dyn HeldRun,
    local_state_file: &std::path::Path,
) -> Result<(C::State, bool, Option<Activity>, DownloadHistory)> {
    let loaded = crate::state::load_typed::<C::State>(
        held,
        &C::META.collector_id(),
        C::META.state_version,
        Some(C::migrate_state),
    )
    .map_err(Error::StateLoad)?;
    match loaded {
        Some(loaded) => {
            tracing::info!(
                "loaded the collector state from {}",
                held.location().display()
            );
            if let Some(version) = loaded.migrated_from {
                tracing::info!(
                    "migrated the state from schema version {version} to {}",
                    C::META.state_version
                );
            }
            Ok((
                loaded.state,
                loaded.migrated_from.is_some(),
                Some(loaded.header.activity),
                loaded.header.downloads,
            ))
        }
        None => match crate::pickle::takeover::n6_pickle_beside(local_state_file) {
            Some(pickle) => {
                let state = crate::pickle::takeover::load_n6_pickle(&pickle, C::META.name)?;
                tracing::warn!(
                    "no state file at {}; took over n6's state from {} (the pickle is left untouched)",
                    held.location().display(),
                    pickle.display()
                );
                Ok((state, false, None, DownloadHistory::default()))
            }
            None => {
                tracing::warn!(
                    "no state file at {}; starting from the default state",
                    held.location().display()
                );
                Ok((
                    C::make_default_state(),
                    false,
                    None,
                    DownloadHistory::default(),
                ))
            }
        },
    }
}

/// For a collector without a `#[state]` field: the download history of conditional
/// downloads, kept in an envelope around `()` at the state file's place only once such
/// a download succeeded (none: no file, nothing logged).
fn load_download_history<C: StatefulCollector>(
    held: &mut dyn HeldRun,
) -> Result<(C::State, bool, Option<Activity>, DownloadHistory)> {
    let loaded = crate::state::load_typed::<C::State>(
        held,
        &C::META.collector_id(),
        C::META.state_version,
        None,
    )
    .map_err(Error::StateLoad)?;
    Ok(match loaded {
        Some(loaded) => (
            loaded.state,
            false,
            Some(loaded.header.activity),
            loaded.header.downloads,
        ),
        None => (
            C::make_default_state(),
            false,
            None,
            DownloadHistory::default(),
        ),
    })
}

/// `written_by` of this program's saves: its name and the crate version.
pub(crate) fn written_by<C: StatefulCollector>() -> String {
    let program = std::env::args()
        .next()
        .and_then(|arg0| {
            std::path::Path::new(&arg0)
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| C::META.name.to_owned());
    format!("{program} (n6-collectors {})", env!("CARGO_PKG_VERSION"))
}

/// Where the messages go ([`Cli::sink_target`]), except that the implicit JSON lines on
/// stdout apply only when stdout is a terminal (someone is watching). From cron or a
/// pipe a missing `[rabbitmq]` (an unreadable file, a miscased section) would otherwise
/// send the data where nobody reads it and save the state as if it had been delivered.
fn choose_output(
    cli: &Cli,
    has_rabbitmq: bool,
    stdout_is_terminal: bool,
    unreadable_files: usize,
) -> Result<crate::sink::SinkTarget> {
    let implicit_stdout = cli.dry_run || cli.replay.is_some();
    if cli.output.is_none() && !implicit_stdout && !has_rabbitmq && !stdout_is_terminal {
        return Err(Error::NoOutput { unreadable_files });
    }
    Ok(cli.sink_target(has_rabbitmq))
}

/// Writes `text` to standard output. A reader that stopped reading (`--print-config |
/// head`) is not an error: what it wanted it got.
pub(crate) fn print_to_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
