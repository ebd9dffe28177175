//! The `state` subcommands of a collector binary, typed by the collector's state.

use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::collector::StatefulCollector;
use crate::error::{Error, InputError, Result};
use crate::pickle::{self, Py2Strings};
use crate::sink::SinkError;
use crate::state::{FileBackend, HeldRun, StateBackend, StateError, StateStore};

/// Subcommands of every collector binary (besides the default: a collection run).
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum Command {
    /// Look at, export, import, reset the collector's state, or import an n6 pickle.
    #[command(subcommand)]
    State(StateCommand),
}

/// `state ...`: each takes the run lock (exit 75 while a run is in progress) and uses the
/// state file of the configured `state_dir` (or `--state-dir`).
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum StateCommand {
    /// Print a summary: path, collector, schema version, saved at, size, the state.
    Show,
    /// Print the state as JSON on stdout (the form `state import` reads).
    Export,
    /// Replace the state with JSON from FILE (`-`: stdin), validated against the state type.
    Import {
        /// The JSON file, or `-` for standard input.
        #[arg(value_name = "FILE|-")]
        file: PathBuf,
    },
    /// Replace the state with the collector's default state.
    Reset {
        /// Do not ask (required when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Convert a state file of n6's Python collector (`*.pickle`) into this collector's state.
    ImportPickle {
        /// The n6 state file, e.g. `~/.n6state/n6datasources.collectors.abuse_ch.AbuseChFeodoTrackerCollector.pickle`.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// How Python 2 8-bit strings in a protocol-2 file become text:
        /// utf-8-surrogateescape, ascii, latin1 or bytes.
        #[arg(long, value_name = "ENCODING", default_value_t = Py2Strings::default())]
        py2_strings: Py2Strings,
        /// Treat the pickle's content as this (older) schema version of the state and run
        /// the collector's migrations on it. Default: the current version.
        #[arg(long, value_name = "N")]
        schema_version: Option<u32>,
    },
    /// Write the state as n6's pickle (protocol 4) to FILE, for n6's Python collector to
    /// continue from (put it in its `state_dir` under n6's file name).
    ExportPickle {
        /// Where to write, e.g. `~/.n6state/n6datasources.collectors.abuse_ch.AbuseChFeodoTrackerCollector.pickle`.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

impl StateCommand {
    /// `show` and `export` only read the state.
    pub fn is_read_only(&self) -> bool {
        matches!(self, StateCommand::Show | StateCommand::Export)
    }
}

/// The standard streams of a subcommand (replaceable in tests).
pub struct StateIo<'a> {
    /// Input for `state import -` and the `state reset` question.
    pub stdin: &'a mut dyn BufRead,
    /// Where `show` and `export` write.
    pub stdout: &'a mut dyn Write,
    /// Where confirmations and notes go.
    pub stderr: &'a mut dyn Write,
    /// Whether stdin is a terminal (`state reset` may ask then).
    pub interactive: bool,
}

/// Runs `command` for collector `C` on the state file of `store`, with the process's
/// standard streams.
///
/// # Errors
/// As [`Error::exit_code`] maps them: 75 while a run holds the lock, 65 for an unusable
/// state file or input (with path and byte offset), 74 for I/O, 64 for `reset` without
/// `--yes` when stdin is not a terminal.
pub fn execute<C: StatefulCollector>(
    command: &StateCommand,
    backend: &dyn StateBackend,
) -> Result<()> {
    let stdin = io::stdin();
    let interactive = stdin.is_terminal();
    let mut stdin = stdin.lock();
    let mut stdout = io::stdout().lock();
    let mut stderr = io::stderr();
    let mut streams = StateIo {
        stdin: &mut stdin,
        stdout: &mut stdout,
        stderr: &mut stderr,
        interactive,
    };
    execute_on::<C>(command, backend, &mut streams)
}

/// [`execute_on`] for the state file of `store` (the file backend).
pub fn execute_with<C: StatefulCollector>(
    command: &StateCommand,
    store: &StateStore,
    io: &mut StateIo<'_>,
) -> Result<()> {
    execute_on::<C>(
        command,
        &FileBackend::new(store.clone()).with_lock(store.path().to_owned(), command.is_read_only()),
        io,
    )
}

/// [`execute`] on any state backend, with explicit streams. Takes the run lock first
/// (75 while a run holds it); on files, `show` and `export` only read: they create
/// neither the directory nor the lock file.
pub fn execute_on<C: StatefulCollector>(
    command: &StateCommand,
    backend: &dyn StateBackend,
    io: &mut StateIo<'_>,
) -> Result<()> {
    if !C::META.has_state {
        return Err(Error::Usage(format!(
            "{} keeps no state (it has no `#[state]` field): there is no state file for `state` subcommands",
            C::META.name
        )));
    }
    let written_by = backend.written_by().to_owned();
    let written_by = written_by.as_str();
    let mut held = backend.begin()?;
    let store = &mut *held;
    match command {
        StateCommand::Show => show::<C>(store, io),
        StateCommand::Export => export::<C>(store, io),
        StateCommand::Import { file } => import::<C>(store, written_by, file, io),
        StateCommand::Reset { yes } => reset::<C>(store, written_by, *yes, io),
        StateCommand::ImportPickle {
            file,
            py2_strings,
            schema_version,
        } => import_pickle::<C>(store, written_by, file, *py2_strings, *schema_version, io),
        StateCommand::ExportPickle { file } => {
            let state = load::<C>(store)?.map(|loaded| loaded.state);
            // The pickle fallback looks beside the state's location (files only).
            let location = store.location().to_owned();
            let as_file = StateStore::new(
                location.parent().unwrap_or(Path::new(".")),
                &location
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                &C::META.collector_id(),
                written_by,
            );
            crate::pickle::write_export::export_pickle::<C>(&as_file, state, file, io.stderr)
        }
    }
}

/// The current state: the file's (migrated if older), or `None` when there is no file.
fn load<C: StatefulCollector>(
    store: &mut dyn HeldRun,
) -> Result<Option<crate::state::Loaded<C::State>>> {
    crate::state::load_typed::<C::State>(
        store,
        &C::META.collector_id(),
        C::META.state_version,
        Some(C::migrate_state),
    )
    .map_err(Error::StateLoad)
}

/// The size of the stored envelope in bytes.
fn stored_size(store: &mut dyn HeldRun) -> Result<u64> {
    let path = store.location().to_owned();
    match store.stored().map_err(Error::StateLoad)? {
        Some(mut reader) => io::copy(&mut reader, &mut io::sink()).map_err(|source| {
            Error::StateLoad(StateError::Io {
                path,
                action: "read",
                source,
            })
        }),
        None => Ok(0),
    }
}

fn show<C: StatefulCollector>(store: &mut dyn HeldRun, io: &mut StateIo<'_>) -> Result<()> {
    let path = store.location().to_owned();
    let version = C::META.state_version;
    let mut text = format!("state file:     {}\n", path.display());
    let loaded = load::<C>(store)?;
    let state = match loaded {
        Some(loaded) => {
            let size = stored_size(store)?;
            let h = &loaded.header;
            let saved_at = h
                .saved_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| h.saved_at.to_string());
            text += &format!("collector:      {}\n", h.collector);
            text += &match loaded.migrated_from {
                Some(old) => format!(
                    "schema version: {old} in the file, shown migrated to {version} (the next save writes {version})\n"
                ),
                None => format!("schema version: {version}\n"),
            };
            text += &format!("saved at:       {saved_at} by {}\n", h.written_by);
            text += &format!("size:           {size} bytes\n");
            loaded.state
        }
        None => {
            text += &format!("collector:      {}\n", C::META.collector_id());
            text += &format!("schema version: {version}\n");
            text += "saved at:       never: there is no state file; a run starts from the default state below\n";
            C::make_default_state()
        }
    };
    text += "state:\n";
    text += &to_json(&state)?;
    text.push('\n');
    write_out(io.stdout, text.as_bytes())
}

fn export<C: StatefulCollector>(store: &mut dyn HeldRun, io: &mut StateIo<'_>) -> Result<()> {
    let state = match load::<C>(store)? {
        Some(loaded) => loaded.state,
        None => {
            note(
                io,
                &format!(
                    "no state file at {}; exporting the default state",
                    store.location().display()
                ),
            );
            C::make_default_state()
        }
    };
    let mut text = to_json(&state)?;
    text.push('\n');
    write_out(io.stdout, text.as_bytes())
}

fn import<C: StatefulCollector>(
    store: &mut dyn HeldRun,
    written_by: &str,
    file: &Path,
    io: &mut StateIo<'_>,
) -> Result<()> {
    let (source, data) = read_input(file, io)?;
    let state: C::State = serde_json::from_slice(&data).map_err(|e| InputError::Invalid {
        what: IMPORT_INPUT,
        path: source.clone(),
        offset: json_error_offset(&data, &e),
        reason: format!("not a valid state of {}: {e}", C::META.name),
    })?;
    save::<C>(store, written_by, &state)?;
    note(
        io,
        &format!(
            "imported {} into {} (schema version {})",
            source.display(),
            store.location().display(),
            C::META.state_version
        ),
    );
    Ok(())
}

fn reset<C: StatefulCollector>(
    store: &mut dyn HeldRun,
    written_by: &str,
    yes: bool,
    io: &mut StateIo<'_>,
) -> Result<()> {
    let path = store.location().to_owned();
    if !yes {
        if !io.interactive {
            return Err(Error::Usage(format!(
                "state reset replaces {} with the default state; pass --yes to confirm (stdin is not a terminal)",
                path.display()
            )));
        }
        let question = format!(
            "Replace the state in {} with the default state? [y/N] ",
            path.display()
        );
        write_out(io.stderr, question.as_bytes())?;
        let mut answer = String::new();
        io.stdin
            .read_line(&mut answer)
            .map_err(|source| InputError::Read {
                what: "the answer from",
                path: PathBuf::from(STDIN),
                source,
            })?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            note(io, "not reset; nothing changed");
            return Ok(());
        }
    }
    save::<C>(store, written_by, &C::make_default_state())?;
    note(
        io,
        &format!("reset {} to the default state", path.display()),
    );
    Ok(())
}

fn import_pickle<C: StatefulCollector>(
    store: &mut dyn HeldRun,
    written_by: &str,
    file: &Path,
    py2: Py2Strings,
    schema_version: Option<u32>,
    io: &mut StateIo<'_>,
) -> Result<()> {
    let current = C::META.state_version;
    let from = schema_version.unwrap_or(current);
    if from > current {
        return Err(Error::Usage(format!(
            "--schema-version {from} is newer than this collector's state schema version {current}"
        )));
    }
    let data = std::fs::read(file).map_err(|source| InputError::Read {
        what: IMPORT_INPUT,
        path: file.to_owned(),
        source,
    })?;
    let corrupt = |offset: u64, reason: String| InputError::Invalid {
        what: IMPORT_INPUT,
        path: file.to_owned(),
        offset,
        reason,
    };
    let decoded = pickle::decode(&data, py2).map_err(|e| {
        corrupt(
            e.offset,
            format!("cannot import this n6 pickle: {}", e.kind),
        )
    })?;
    let value = decoded.value.to_cbor();
    let state = if from == current {
        value.deserialized::<C::State>().map_err(|e| {
            corrupt(
                0,
                format!(
                    "the pickle's content does not fit the state of {}: {e}; the pickle holds: {}",
                    C::META.name,
                    decoded.value
                ),
            )
        })?
    } else {
        C::migrate_state(from, value).map_err(|reason| {
            corrupt(
                0,
                format!(
                    "migrating the pickle's content from schema version {from} to {current} failed: {reason}; the pickle holds: {}",
                    decoded.value
                ),
            )
        })?
    };
    save::<C>(store, written_by, &state)?;
    let py2_note = if decoded.protocol == 2 {
        format!("; protocol 2, Python 2 strings read as {py2}")
    } else {
        String::new()
    };
    note(
        io,
        &format!(
            "imported n6 pickle {} (protocol {}{py2_note}) into {} (schema version {current})",
            file.display(),
            decoded.protocol,
            store.location().display()
        ),
    );
    Ok(())
}

fn save<C: StatefulCollector>(
    store: &mut dyn HeldRun,
    written_by: &str,
    state: &C::State,
) -> Result<()> {
    crate::state::save_typed(
        store,
        &C::META.collector_id(),
        written_by,
        crate::state::Activity::default(),
        state,
        C::META.state_version,
    )
    .map_err(crate::state::save_error)
}

/// How messages name the file given to `state import` / `import-pickle`.
const IMPORT_INPUT: &str = "import input";

/// How messages name standard input.
const STDIN: &str = "<stdin>";

/// Reads FILE or stdin (`-`); returns the name to use in messages and the bytes.
fn read_input(file: &Path, io: &mut StateIo<'_>) -> Result<(PathBuf, Vec<u8>)> {
    let mut data = Vec::new();
    let (path, read) = if file.as_os_str() == "-" {
        (PathBuf::from(STDIN), io.stdin.read_to_end(&mut data))
    } else {
        let read = std::fs::File::open(file).and_then(|mut f| f.read_to_end(&mut data));
        (file.to_owned(), read)
    };
    read.map_err(|source| InputError::Read {
        what: IMPORT_INPUT,
        path: path.clone(),
        source,
    })?;
    Ok((path, data))
}

/// The byte offset of a JSON error's line and column.
fn json_error_offset(data: &[u8], e: &serde_json::Error) -> u64 {
    let line_start: usize = data
        .split_inclusive(|&b| b == b'\n')
        .take(e.line().saturating_sub(1))
        .map(<[u8]>::len)
        .sum();
    (line_start + e.column().saturating_sub(1)) as u64
}

fn to_json<S: Serialize>(state: &S) -> Result<String> {
    serde_json::to_string_pretty(state)
        .map_err(|e| Error::bug(format!("the state cannot be written as JSON: {e}")))
}

fn write_out(w: &mut dyn Write, data: &[u8]) -> Result<()> {
    w.write_all(data)
        .and_then(|()| w.flush())
        .map_err(|source| {
            Error::Sink(SinkError::Io {
                path: PathBuf::from("-"),
                source,
            })
        })
}

/// A note on stderr; a failing stderr is not worth failing the command for.
fn note(io: &mut StateIo<'_>, text: &str) {
    let _ = writeln!(io.stderr, "{text}");
}

#[cfg(test)]
mod tests;
