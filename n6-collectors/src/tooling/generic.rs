//! `n6-state`: look at any state file without its collector.
//!
//! - `n6-state show FILE`: the envelope header, the size and the payload as JSON;
//! - `n6-state export FILE`: the payload as JSON on stdout (the [`super::json`] form);
//! - `n6-state check FILE`: validates the envelope and the CBOR, prints the header;
//!   exit 0 when valid, 65 with the path and byte offset when not (74 when the file
//!   cannot be read).
//!
//! FILE may also be a state file of n6's Python collectors (recognised by its first byte
//! `0x80` or its name `*.pickle`): `show` prints it as Python would and as JSON, `export` as JSON,
//! `check` says whether it can be converted by `state import-pickle`.
//!
//! - `n6-state health [--max-silence DURATION] [--json] STATE_DIR...`: every collector's
//!   last run, last success and last new data; exit 1 when one is failing or silent
//!   (see [`super::health`]).
//!
//! FILE may also be `etcd:COLLECTOR_ID` (the etcd backend's state key; settings from
//! `[n6_collectors_state]` in `--config-dir`). `n6-state copy FROM TO` copies a state
//! between a file and etcd, taking both run locks ([`super::copy`]).
//!
//! `show`, `export` and `check` only read, so they take no lock: saves replace the file by an atomic
//! rename, so a reader sees either the old or the new file.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use super::json::cbor_to_json;
use crate::error::{Error, Result};
use crate::exit;
use crate::pickle::{self, Py2Strings};
use crate::sink::SinkError;
use crate::state::{EnvelopeHeader, StateError, StateStore};

/// The command line of `n6-state`.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "n6-state",
    about = "Look at n6-collectors state files (and n6's *.pickle state files) without their collector.",
    after_help = "Exit codes: 0 ok, 1 (health) a collector is failing, silent or unreadable, 64 usage, 65 invalid file (with the byte offset), 74 cannot read the file.\n\
                  To change a state, use the collector's own `state` subcommands (they validate against its state type)."
)]
pub struct Args {
    /// Config directory with `[n6_collectors_state]` for `etcd:COLLECTOR_ID` places
    /// (repeatable; default: n6's config directories).
    #[arg(long = "config-dir", value_name = "DIR", global = true)]
    pub config_dirs: Vec<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: GenericCommand,
}

/// `n6-state` subcommands.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum GenericCommand {
    /// Print the header, the size and the state as JSON.
    Show {
        /// A state file (`*.cbor`) or an n6 pickle (`*.pickle`).
        file: PathBuf,
        /// For protocol-2 pickles: how Python 2 8-bit strings become text.
        #[arg(long, value_name = "ENCODING", default_value_t = Py2Strings::default())]
        py2_strings: Py2Strings,
    },
    /// Print the state as JSON on stdout (bytes as {"$bytes_base64": ...}).
    Export {
        /// A state file (`*.cbor`) or an n6 pickle (`*.pickle`).
        file: PathBuf,
        /// For protocol-2 pickles: how Python 2 8-bit strings become text.
        #[arg(long, value_name = "ENCODING", default_value_t = Py2Strings::default())]
        py2_strings: Py2Strings,
    },
    /// Copy a collector's state between a state file and etcd (`etcd:COLLECTOR_ID`),
    /// holding both run locks; FROM stays as it was.
    Copy {
        /// Where the state is now: a state file or `etcd:COLLECTOR_ID`.
        from: PathBuf,
        /// Where it goes: a state file or `etcd:COLLECTOR_ID`.
        to: PathBuf,
    },
    /// Check the envelope and the CBOR; print the header. Exit 0 when valid, 65 when not.
    Check {
        /// A state file (`*.cbor`) or an n6 pickle (`*.pickle`).
        file: PathBuf,
    },
    /// Every collector's last run, last success and last new data; exit 1 when one is
    /// failing, silent for longer than its threshold, or unreadable.
    Health {
        /// How long a collector may publish nothing new (e.g. 90m, 36h, 2d) unless it
        /// declares its own expected silence.
        #[arg(long, value_name = "DURATION", default_value = super::health::DEFAULT_MAX_SILENCE, value_parser = crate::run::metrics::parse_duration)]
        max_silence: std::time::Duration,
        /// Print the report as JSON (for scripts).
        #[arg(long)]
        json: bool,
        /// State directories to look in.
        #[arg(required = true, value_name = "STATE_DIR")]
        dirs: Vec<PathBuf>,
    },
}

/// Runs `n6-state` with the process's arguments.
pub fn main() -> ExitCode {
    main_from(std::env::args_os())
}

/// Runs `n6-state` with explicit arguments (the first is the program name).
pub fn main_from<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(e) => {
            let code = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => exit::OK,
                _ => exit::USAGE,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let GenericCommand::Health {
        max_silence,
        json,
        dirs,
    } = &args.command
    {
        return health_main(dirs, *max_silence, *json);
    }
    match run_in(&args.command, &args.config_dirs, &mut io::stdout().lock()) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(error) => {
            eprintln!("n6-state: error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// `n6-state health`: prints the report; exit 0 when healthy, 1 when not.
fn health_main(dirs: &[PathBuf], max_silence: std::time::Duration, json: bool) -> ExitCode {
    match health_text(dirs, max_silence, json) {
        Ok((text, healthy)) => {
            if let Err(error) = crate::run::print_to_stdout(&text) {
                eprintln!("n6-state: error: writing the report to stdout: {error}");
                return ExitCode::from(exit::IO);
            }
            ExitCode::from(if healthy {
                exit::OK
            } else {
                super::health::UNHEALTHY
            })
        }
        Err(error) => {
            eprintln!("n6-state: error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// The health report as text or JSON, and whether every collector is healthy.
fn health_text(
    dirs: &[PathBuf],
    max_silence: std::time::Duration,
    json: bool,
) -> Result<(String, bool)> {
    let report = super::health::check(dirs, max_silence, time::OffsetDateTime::now_utc())?;
    let text = if json {
        serde_json::to_string_pretty(&report).map_err(Error::bug)? + "\n"
    } else {
        report.to_text()
    };
    Ok((text, report.healthy))
}

/// Runs one command, writing to `out` (etcd places use the default config directories).
pub fn run(command: &GenericCommand, out: &mut dyn Write) -> Result<()> {
    run_in(command, &[], out)
}

/// Runs one command with `[n6_collectors_state]` from `config_dirs`, writing to `out`.
pub fn run_in(
    command: &GenericCommand,
    config_dirs: &[PathBuf],
    out: &mut dyn Write,
) -> Result<()> {
    let read = |file: &Path, py2| read(file, py2, config_dirs);
    let text = match command {
        GenericCommand::Copy { from, to } => {
            let note = super::copy::copy(from, to, config_dirs)?;
            eprintln!("n6-state: {note}");
            return Ok(());
        }
        GenericCommand::Health {
            max_silence,
            json,
            dirs,
        } => health_text(dirs, *max_silence, *json)?.0,
        GenericCommand::Show { file, py2_strings } => match read(file, *py2_strings)? {
            Contents::Envelope {
                header,
                payload,
                size,
            } => {
                let mut text = header_lines(file, &header, size);
                text += "state:\n";
                text += &pretty(&cbor_to_json(&payload));
                text
            }
            Contents::Pickle { decoded, size } => {
                let mut text = pickle_lines(file, decoded.protocol, size);
                text += &format!("state (Python):\n{}\nstate (JSON):\n", decoded.value);
                text += &pretty(&cbor_to_json(&decoded.value.to_cbor()));
                text
            }
        },
        GenericCommand::Export { file, py2_strings } => match read(file, *py2_strings)? {
            Contents::Envelope { payload, .. } => pretty(&cbor_to_json(&payload)),
            Contents::Pickle { decoded, .. } => pretty(&cbor_to_json(&decoded.value.to_cbor())),
        },
        GenericCommand::Check { file } => match read(file, Py2Strings::default())? {
            Contents::Envelope { header, size, .. } => {
                format!(
                    "{}: valid state file\n{}",
                    file.display(),
                    header_lines(file, &header, size)
                )
            }
            Contents::Pickle { decoded, size } => format!(
                "{}: valid n6 pickle, convertible with `<collector> state import-pickle`\n{}",
                file.display(),
                pickle_lines(file, decoded.protocol, size)
            ),
        },
    };
    out.write_all(text.trim_end_matches('\n').as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|source| {
            Error::Sink(SinkError::Io {
                path: PathBuf::from("-"),
                source,
            })
        })
}

/// What a file holds.
enum Contents {
    Envelope {
        header: EnvelopeHeader,
        payload: ciborium::Value,
        size: u64,
    },
    Pickle {
        decoded: pickle::Decoded,
        size: u64,
    },
}

fn read(file: &Path, py2: Py2Strings, config_dirs: &[PathBuf]) -> Result<Contents> {
    let io_error = |action, source| {
        Error::StateLoad(StateError::Io {
            path: file.to_owned(),
            action,
            source,
        })
    };
    if let super::copy::Place::Etcd(id) = super::copy::Place::parse(file) {
        let Some(bytes) = super::copy::read_etcd(&id, config_dirs)? else {
            return Err(io_error("open", io::Error::from(io::ErrorKind::NotFound)));
        };
        let (header, payload) =
            StateStore::decode_envelope_untyped(file, &bytes[..]).map_err(Error::StateLoad)?;
        return Ok(Contents::Envelope {
            header,
            payload,
            size: bytes.len() as u64,
        });
    }
    let meta = std::fs::metadata(file).map_err(|e| io_error("open", e))?;
    let size = meta.len();
    let mut head = [0u8; 3];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(file).map_err(|e| io_error("open", e))?;
        f.read(&mut head).map_err(|e| io_error("read", e))?
    };
    let named_pickle = file.extension().is_some_and(|ext| ext == "pickle");
    if (n >= 1 && head[0] == 0x80) || named_pickle {
        let data = std::fs::read(file).map_err(|e| io_error("read", e))?;
        let decoded = pickle::decode(&data, py2).map_err(|e| {
            Error::StateLoad(StateError::Corrupt {
                path: file.to_owned(),
                offset: e.offset,
                reason: format!("n6 pickle: {}", e.kind),
            })
        })?;
        return Ok(Contents::Pickle { decoded, size });
    }
    match StateStore::read_envelope_untyped(file).map_err(Error::StateLoad)? {
        Some((header, payload)) => Ok(Contents::Envelope {
            header,
            payload,
            size,
        }),
        None => Err(io_error("open", io::Error::from(io::ErrorKind::NotFound))),
    }
}

fn header_lines(file: &Path, h: &EnvelopeHeader, size: u64) -> String {
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| t.to_string())
    };
    let saved_at = rfc3339(h.saved_at);
    let mut text = format!(
        "state file:       {}\nformat:           {} (envelope version {})\ncollector:        {}\nschema version:   {}\nsaved at:         {saved_at}\nwritten by:       {}\n",
        file.display(),
        crate::state::FORMAT_MARKER,
        h.envelope_version,
        h.collector,
        h.schema_version,
        h.written_by,
    );
    // Kept only with run tracking on (see `crate::run::metrics`).
    if let Some(t) = h.activity.last_success {
        text += &format!("last success:     {}\n", rfc3339(t));
    }
    if let Some(t) = h.activity.last_new_data {
        text += &format!("last new data:    {}\n", rfc3339(t));
    }
    // Kept only with conditional downloads on (`download_only_if_changed`).
    for (url, known) in &h.downloads.0 {
        let mut parts = Vec::new();
        if let Some(etag) = &known.etag {
            parts.push(format!("ETag {etag}"));
        }
        if let Some(last_modified) = &known.last_modified {
            parts.push(format!("Last-Modified {last_modified}"));
        }
        if let Some(sha256) = &known.sha256 {
            parts.push(format!("SHA-256 {sha256}"));
        }
        text += &format!("last download:    {url}: {}\n", parts.join(", "));
    }
    text + &format!("size:             {size} bytes\n")
}

fn pickle_lines(file: &Path, protocol: u8, size: u64) -> String {
    format!(
        "state file:       {}\nformat:           n6 pickle (protocol {protocol})\nsize:             {size} bytes\n",
        file.display()
    )
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("<cannot print: {e}>"))
}
