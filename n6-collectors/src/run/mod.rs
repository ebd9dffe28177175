//! The run lifecycle: command line → configuration → lock → state → collect → confirm →
//! save → one-line summary. See [`run`].
//!
//! * [`cli`] — the command line every collector binary accepts;
//! * [`configure`] — config files, overrides, the collector's spec, `[rabbitmq]`;
//! * [`signal`] — SIGINT/SIGTERM stop the run at its next safe point;
//! * [`logging`] — the stderr log subscriber;
//! * [`summary`] — the one-line summary and its counters.

pub mod cli;
pub(crate) mod configure;
pub(crate) mod logging;
pub(crate) mod signal;
pub(crate) mod summary;

use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;
use std::time::Instant;

use clap::error::ErrorKind;

use self::cli::Cli;
use self::configure::LoadedConfig;
use self::summary::Summary;
use crate::collector::{Collect, StatefulCollector};
use crate::error::{Error, Result};
use crate::exit;
use crate::message::DEFAULT_EXCHANGE;
use crate::metrics::RunTracking;
use crate::output::Output;
use crate::sink::{self, LazySink};
use crate::state::{Activity, RunLock, StateSaver, StateStore};

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

/// [`run`] with explicit arguments (the first one is the program name); returns the exit
/// status (see [`crate::exit`]).
pub fn run_from<C, I, T>(args: I) -> u8
where
    C: Collect,
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let (cli, own_args) = match self::cli::parse_with::<C::Args, _, _>(args) {
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
    signal::install();
    let started = Instant::now();
    let name = C::META.name;
    let mut tracking = RunTracking::new(name, cli.metrics_file.clone());
    let code = match panic::catch_unwind(AssertUnwindSafe(|| {
        execute::<C>(&cli, own_args, &mut tracking)
    })) {
        Ok(Ok(Outcome::Done(summary))) => {
            if cli.quiet < 2 {
                eprintln!("{name}: {}", summary.line(started.elapsed()));
            }
            exit::OK
        }
        Ok(Ok(Outcome::Early)) => {
            tracking.cancel();
            exit::OK
        }
        Ok(Err(error)) => {
            eprintln!("{name}: error: {error}");
            error.exit_code()
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            eprintln!("{name}: error: internal error (a bug): panicked: {what}; state not saved");
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
}

fn execute<C: Collect>(
    cli: &Cli,
    own_args: C::Args,
    tracking: &mut RunTracking,
) -> Result<Outcome> {
    use self::cli::CollectorArgs;
    if cli.dry_run {
        tracking.cancel();
    }
    let LoadedConfig {
        config,
        printable,
        amqp,
        metrics_textfile_dir,
    } = configure::load::<C>(cli, own_args.config_section())?;
    tracking.configure(metrics_textfile_dir.as_deref());
    if cli.print_config {
        println!(
            "{}",
            serde_json::to_string_pretty(&printable).map_err(Error::bug)?
        );
        return Ok(Outcome::Early);
    }

    let state_dir = match &cli.state_dir {
        Some(dir) => dir.clone(),
        None => C::state_dir(&config).to_owned(),
    };
    let mut store = StateStore::new(
        &state_dir,
        &C::META.state_file_name(),
        &C::META.collector_id(),
        &written_by::<C>(),
    );
    if let Some(crate::tooling::Command::State(command)) = &cli.command {
        crate::tooling::execute::<C>(command, &store)?; // takes the lock itself
        return Ok(Outcome::Early);
    }
    let _lock = RunLock::acquire(store.path())?;
    let (state, migrated, activity) = load_state::<C>(&store)?;
    tracking.state_loaded(store.path(), activity, C::expected_silence());
    if tracking.enabled() {
        store.set_activity(tracking.prior_activity());
    }
    if cli.check_config {
        eprintln!(
            "{}: configuration and state file ({}) are valid",
            C::META.name,
            store.path().display()
        );
        return Ok(Outcome::Early);
    }

    // A migrated state is saved at the end of the run even if nothing else changed, so
    // the file is migrated once, not on every load.
    let mut saver = StateSaver::new(
        if cli.dry_run { None } else { Some(store) },
        C::META.state_version,
        (!migrated).then_some(&state),
    )?;
    let mut collector = C::from_parts(config, state, own_args);
    let target = cli.sink_target(amqp.is_some());
    let exchange = format!(
        "{DEFAULT_EXCHANGE}{}",
        cli.n6output_suffix.as_deref().unwrap_or("")
    );
    let mut sink = LazySink::new(sink::opener(target, amqp, exchange.clone()));
    {
        let mut out = Output::new(
            &C::META.identity,
            cli.n6output_suffix.as_deref().unwrap_or(""),
            cli.clock()?,
            &mut sink,
            &mut saver,
            &mut tracking.stats,
        );
        collector.collect(&mut out)?;
        out.confirm()?;
    }
    signal::stop_if_interrupted()?;
    if tracking.enabled()
        && let Some(store) = saver.store_mut()
    {
        // Run tracking keeps the last success in the envelope: save even if unchanged.
        store.set_activity(tracking.success_activity());
        saver.force_next_save();
    }
    saver.save(collector.state())?;
    sink.close()?;
    Ok(Outcome::Done(Summary {
        stats: tracking.stats,
        state_saved: saver.saved(),
        output: sink.describe(),
        dry_run: cli.dry_run,
    }))
}

/// Loads the state, or the default state when there is no state file (logged at WARN);
/// also says whether the file had an older schema version and was migrated.
fn load_state<C: StatefulCollector>(
    store: &StateStore,
) -> Result<(C::State, bool, Option<Activity>)> {
    let loaded = store
        .load::<C::State>(C::META.state_version, Some(C::migrate_state))
        .map_err(Error::StateLoad)?;
    match loaded {
        Some(loaded) => {
            tracing::info!("loaded the collector state from {}", store.path().display());
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
            ))
        }
        None => match crate::pickle::takeover::n6_pickle_beside(store.path()) {
            Some(pickle) => {
                let state = crate::pickle::takeover::load_n6_pickle(&pickle, C::META.name)?;
                tracing::warn!(
                    "no state file at {}; took over n6's state from {} (the pickle is left untouched)",
                    store.path().display(),
                    pickle.display()
                );
                Ok((state, false, None))
            }
            None => {
                tracing::warn!(
                    "no state file at {}; starting from the default state",
                    store.path().display()
                );
                Ok((C::make_default_state(), false, None))
            }
        },
    }
}

fn written_by<C: StatefulCollector>() -> String {
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
