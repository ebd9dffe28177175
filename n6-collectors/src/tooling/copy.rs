//! `n6-state` over both backends: a state *place* is a file path or `etcd:COLLECTOR_ID`
//! (the etcd settings come from `[n6_collectors_state]` of the config files), and
//! `n6-state copy FROM TO` moves a collector's state between them.
//!
//! `copy` takes the run lock of both places (exit 75 while a run holds either), checks
//! that FROM is a valid envelope (exit 65 otherwise) and that an `etcd:` place names the
//! envelope's collector, then stores the same bytes at TO (an etcd save is fenced as a
//! run's). FROM is left as it was.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::state::etcd::{EtcdBackend, EtcdSettings};
use crate::state::{BackendChoice, FileBackend, StateBackend, StateError, StateStore, save_raw};
use n6_collectors_config::files;

/// The prefix of an etcd place: `etcd:COLLECTOR_ID`.
pub const ETCD_PLACE_PREFIX: &str = "etcd:";

/// A state place: a state file, or a collector's keys in etcd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A state file.
    File(PathBuf),
    /// The etcd keys of this collector id.
    Etcd(String),
}

impl Place {
    /// `etcd:ID` or a file path.
    pub fn parse(text: &Path) -> Place {
        match text
            .to_str()
            .and_then(|s| s.strip_prefix(ETCD_PLACE_PREFIX))
        {
            Some(id) => Place::Etcd(id.to_owned()),
            None => Place::File(text.to_owned()),
        }
    }
}

/// The etcd settings of `[n6_collectors_state]` in `config_dirs` (the default n6 config
/// directories when empty).
pub fn etcd_settings(config_dirs: &[PathBuf]) -> Result<EtcdSettings> {
    let dirs = if config_dirs.is_empty() {
        files::default_config_dirs()
    } else {
        config_dirs.to_vec()
    };
    let (raw, _warnings) = files::load(&dirs, &[]).map_err(|e| match e {
        files::ConfigLoadError::Ini(errors) => {
            Error::Config(errors.0.iter().map(ToString::to_string).collect())
        }
    })?;
    let mut problems = Vec::new();
    let choice =
        crate::run::configure::state_backend(&raw, &mut serde_json::Map::new(), &mut problems);
    if !problems.is_empty() {
        return Err(Error::Config(problems));
    }
    match choice {
        BackendChoice::Etcd(settings) => Ok(*settings),
        BackendChoice::File => Err(Error::Config(vec![format!(
            "an etcd: place needs [n6_collectors_state] with backend = etcd in the config files ({})",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )])),
    }
}

fn written_by() -> String {
    format!("n6-state (n6-collectors {})", env!("CARGO_PKG_VERSION"))
}

/// The backend of `place` (for a file: any collector id; raw copies do not check it).
fn backend(
    place: &Place,
    collector: &str,
    config_dirs: &[PathBuf],
) -> Result<Box<dyn StateBackend>> {
    match place {
        Place::File(path) => {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
            let name = path.file_name().ok_or_else(|| {
                Error::Usage(format!("{} is not a state file path", path.display()))
            })?;
            Ok(Box::new(FileBackend::new(StateStore::new(
                dir.unwrap_or(Path::new(".")),
                &name.to_string_lossy(),
                collector,
                &written_by(),
            ))))
        }
        Place::Etcd(id) => Ok(Box::new(EtcdBackend::new(
            &etcd_settings(config_dirs)?,
            id,
            &written_by(),
        )?)),
    }
}

/// The stored envelope at an etcd place without taking the lock (`show`, `export`,
/// `check`); `None` when there is none.
pub fn read_etcd(id: &str, config_dirs: &[PathBuf]) -> Result<Option<Vec<u8>>> {
    let backend = EtcdBackend::new(&etcd_settings(config_dirs)?, id, &written_by())?;
    Ok(backend.read_unlocked()?)
}

/// `n6-state copy FROM TO`; returns the note for stderr.
pub fn copy(from: &Path, to: &Path, config_dirs: &[PathBuf]) -> Result<String> {
    let (from_place, to_place) = (Place::parse(from), Place::parse(to));
    if from_place == to_place {
        return Err(Error::Usage(
            "copy: FROM and TO are the same place".to_owned(),
        ));
    }
    let hint = match (&from_place, &to_place) {
        (Place::Etcd(id), _) | (_, Place::Etcd(id)) => id.clone(),
        _ => String::new(),
    };
    let source = backend(&from_place, &hint, config_dirs)?;
    let mut source_run = source.begin()?;
    let location = source_run.location().to_owned();
    let mut bytes = Vec::new();
    match source_run.stored().map_err(Error::StateLoad)? {
        Some(mut reader) => reader.read_to_end(&mut bytes).map_err(|source| {
            Error::StateLoad(StateError::Io {
                path: location.clone(),
                action: "read",
                source,
            })
        })?,
        None => {
            return Err(Error::StateLoad(StateError::Io {
                path: location,
                action: "open",
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            }));
        }
    };
    let (header, _payload) =
        StateStore::decode_envelope_untyped(&location, &bytes[..]).map_err(Error::StateLoad)?;
    for place in [&from_place, &to_place] {
        if let Place::Etcd(id) = place
            && *id != header.collector
        {
            return Err(Error::StateLoad(StateError::WrongCollector {
                path: location.clone(),
                offset: 0,
                expected: id.clone(),
                found: header.collector.clone(),
            }));
        }
    }
    let target = backend(&to_place, &header.collector, config_dirs)?;
    let mut target_run = target.begin()?;
    save_raw(&mut *target_run, &bytes).map_err(crate::state::save_error)?;
    Ok(format!(
        "copied the state of {} ({} bytes) from {} to {}",
        header.collector,
        bytes.len(),
        location.display(),
        target_run.location().display()
    ))
}
