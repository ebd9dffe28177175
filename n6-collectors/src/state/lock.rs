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
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::atomic::{PRIVATE_FILE_MODE, create_private_dir, parent_dir};
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
        let io_error = |source: io::Error| LockError::Io {
            lock_path: lock_path.clone(),
            source,
        };
        create_private_dir(parent_dir(&lock_path)).map_err(io_error)?;
        let file = open_lock_file(&lock_path).map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock {
                _file: file,
                path: lock_path,
            }),
            Err(TryLockError::WouldBlock) => Err(LockError::AlreadyRunning { lock_path }),
            Err(TryLockError::Error(source)) => Err(io_error(source)),
        }
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
