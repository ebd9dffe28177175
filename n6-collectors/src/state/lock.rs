//! The run lock: at most one run per state file at a time.
//!
//! An exclusive, non-blocking `flock` on `<state file>.lock` (std [`File::try_lock`]).
//! The kernel releases it when the process exits in any way (including kill -9), so a
//! crashed run never blocks the next one and there is no stale-lock cleanup. The lock file
//! itself is created once (mode 0600) and never deleted: deleting it would let two
//! processes lock two different inodes of the same name.
//!
//! `flock` locks belong to the open file description, so a second [`RunLock::acquire`]
//! even in the same process fails while the first guard is alive.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::atomic::{PRIVATE_FILE_MODE, check_existing_dir, create_private_dir, parent_dir};
use super::error::LockError;

/// A held run lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct RunLock {
    // Holding the open file holds the lock.
    _file: File,
    path: PathBuf,
}

impl RunLock {
    /// Takes the run lock of the state file at `state_path`, without waiting.
    ///
    /// Creates the state directory (0700, as on save) and the lock file (0600) if needed.
    /// The lock file is opened without following symbolic links.
    ///
    /// # Errors
    /// [`LockError::AlreadyRunning`] when another process (or another guard in this
    /// process) holds the lock; [`LockError::Io`] when the directory or the lock file
    /// cannot be created, opened or locked.
    pub fn acquire(state_path: &Path) -> Result<RunLock, LockError> {
        let lock_path = lock_path_for(state_path);
        create_private_dir(parent_dir(&lock_path)).map_err(|source| LockError::Io {
            lock_path: lock_path.clone(),
            source,
        })?;
        lock_verified(lock_path, true, &mut || {}).map(|held| {
            held.unwrap_or_else(|| unreachable!("the lock file is created when missing"))
        })
    }

    /// Takes the run lock for a read-only command, creating nothing: `Ok(None)` when the
    /// state directory or the lock file does not exist (then no run can be in progress).
    ///
    /// # Errors
    /// As [`RunLock::acquire`]; an existing state directory is checked as there.
    pub fn acquire_if_present(state_path: &Path) -> Result<Option<RunLock>, LockError> {
        let lock_path = lock_path_for(state_path);
        let exists =
            check_existing_dir(parent_dir(&lock_path)).map_err(|source| LockError::Io {
                lock_path: lock_path.clone(),
                source,
            })?;
        if !exists {
            return Ok(None);
        }
        lock_verified(lock_path, false, &mut || {})
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The lock file of a state file: the state file's path with `.lock` appended.
pub fn lock_path_for(state_path: &Path) -> PathBuf {
    let mut name = OsString::from(state_path.as_os_str());
    name.push(".lock");
    PathBuf::from(name)
}

/// How often [`lock_verified`] tries again when the lock file was replaced under it.
const LOCK_ATTEMPTS: u32 = 16;

/// Opens (creating it if `create`) and locks `lock_path`, then checks that the path
/// still names the inode it locked: a lock file removed or replaced between the open and
/// the lock would otherwise lock an orphan while another run locks the new file. Tries
/// again when it does not. `between` runs between the open and the lock (for tests).
/// `Ok(None)`: the file does not exist and `create` is false.
fn lock_verified(
    lock_path: PathBuf,
    create: bool,
    between: &mut dyn FnMut(),
) -> Result<Option<RunLock>, LockError> {
    let io_error = |source: io::Error| LockError::Io {
        lock_path: lock_path.clone(),
        source,
    };
    for _ in 0..LOCK_ATTEMPTS {
        let file = if create {
            open_lock_file(&lock_path).map_err(io_error)?
        } else {
            match open_existing_lock_file(&lock_path) {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io_error(e)),
            }
        };
        between();
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::AlreadyRunning { lock_path });
            }
            Err(TryLockError::Error(source)) => return Err(io_error(source)),
        }
        if names_same_inode(&file, &lock_path).map_err(io_error)? {
            return Ok(Some(RunLock {
                _file: file,
                path: lock_path,
            }));
        }
        if !create && !lock_path.exists() {
            return Ok(None);
        }
    }
    Err(io_error(io::Error::other(format!(
        "the lock file kept being replaced ({LOCK_ATTEMPTS} attempts)"
    ))))
}

/// Whether `path` (not following links) is the file open as `file`.
fn names_same_inode(file: &File, path: &Path) -> io::Result<bool> {
    let held = file.metadata()?;
    match fs::symlink_metadata(path) {
        Ok(named) => Ok(named.dev() == held.dev() && named.ino() == held.ino()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn open_existing_lock_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

fn open_lock_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options
        .read(true)
        .write(true)
        .mode(PRIVATE_FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW);
    match options.clone().create_new(true).open(path) {
        Ok(file) => {
            // New file: make the mode exactly 0600 whatever the umask.
            file.set_permissions(fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
            Ok(file)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => options.open(path),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn lock_path_appends_dot_lock() {
        assert_eq!(
            lock_path_for(Path::new("/s/a.B.cbor")),
            Path::new("/s/a.B.cbor.lock")
        );
    }

    #[test]
    fn second_acquire_fails_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let state_dir = dir.path().join("state");
        let state = state_dir.join("x.Y.cbor");
        let first = RunLock::acquire(&state).unwrap();
        assert_eq!(first.path(), state_dir.join("x.Y.cbor.lock"));
        assert_eq!(mode(&state_dir), 0o700);
        assert_eq!(mode(first.path()), 0o600);
        assert!(!state.exists(), "the state file is not created");
        match RunLock::acquire(&state) {
            Err(LockError::AlreadyRunning { lock_path }) => assert_eq!(lock_path, first.path()),
            other => panic!("expected AlreadyRunning, got {other:?}"),
        }
        let lock_path = first.path().to_owned();
        drop(first);
        let again = RunLock::acquire(&state).unwrap();
        assert!(lock_path.exists(), "the lock file is never deleted");
        drop(again);
        assert!(lock_path.exists(), "the lock file is never deleted");
    }

    #[test]
    fn a_lock_file_replaced_between_open_and_lock_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("x.Y.cbor");
        let lock_path = lock_path_for(&state);
        let mut other = None;
        // Between this run's open and its lock, the file is removed and another run
        // creates a new one and locks it: this run must not lock the orphan and go on.
        let result = lock_verified(lock_path.clone(), true, &mut || {
            if other.is_none() {
                fs::remove_file(&lock_path).unwrap();
                other = Some(RunLock::acquire(&state).unwrap());
            }
        });
        match result {
            Err(LockError::AlreadyRunning { lock_path: p }) => assert_eq!(p, lock_path),
            other => panic!("expected AlreadyRunning, got {other:?}"),
        }
        drop(other);
        RunLock::acquire(&state).unwrap();
    }

    #[test]
    fn acquire_if_present_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state/x.Y.cbor");
        assert!(RunLock::acquire_if_present(&state).unwrap().is_none());
        assert!(!dir.path().join("state").exists());
        let held = RunLock::acquire(&state).unwrap();
        assert!(matches!(
            RunLock::acquire_if_present(&state),
            Err(LockError::AlreadyRunning { .. })
        ));
        drop(held);
        assert!(RunLock::acquire_if_present(&state).unwrap().is_some());
    }

    #[test]
    fn symlinked_lock_file_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("x.Y.cbor");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), lock_path_for(&state)).unwrap();
        assert!(matches!(
            RunLock::acquire(&state),
            Err(LockError::Io { .. })
        ));
        assert!(!dir.path().join("elsewhere").exists());
    }

    #[test]
    fn lock_held_by_another_process_and_released_when_it_dies() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("x.Y.cbor");
        let lock_path = lock_path_for(&state);
        let script = "import fcntl,sys,time\n\
                      f=open(sys.argv[1],'a')\n\
                      fcntl.flock(f, fcntl.LOCK_EX)\n\
                      print('locked', flush=True)\n\
                      time.sleep(30)\n";
        let mut child = match Command::new("python3")
            .args(["-c", script])
            .arg(&lock_path)
            .stdout(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => {
                eprintln!("skipped: cannot run python3: {e}");
                return;
            }
        };
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line, "locked\n");
        let result = RunLock::acquire(&state);
        child.kill().unwrap();
        child.wait().unwrap();
        match result {
            Err(LockError::AlreadyRunning { lock_path: p }) => assert_eq!(p, lock_path),
            other => panic!("expected AlreadyRunning, got {other:?}"),
        }
        // The kernel released the dead child's lock.
        RunLock::acquire(&state).unwrap();
    }
}
