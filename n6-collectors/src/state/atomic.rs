//! File-system primitives of the state store: the atomic, durable file replacement and
//! the creation of the private state directory.
//!
//! [`write_atomically`] gives the guarantee operators rely on: after a crash (kill -9,
//! power loss) the target file holds either the complete old content or the complete new
//! content, never a mix, and once it returns `Ok` the new content is on disk.
//!
//! Steps: create a new temporary file beside the target (`O_EXCL`, mode 0600) → write
//! through a large buffer → `fsync` the file → `rename` it over the target → `fsync` the
//! directory (so the rename itself survives a power loss). Why our own helper: see
//! `ARCHITECTURE.md` (design decisions).
//!
//! The temporary file is named `.{target file name}.{pid}-{nonce}.tmp`. On any error
//! before the rename it is removed; only a crash (or kill -9) between its creation and the
//! rename can leave one behind, which never affects the target.

use std::ffi::OsStr;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// **Test-only hook** (cargo feature `test-hooks`, absent from release builds). When this
/// environment variable holds a number of milliseconds, [`write_atomically`] sleeps that
/// long after the temporary file is fsynced and before the rename, so crash tests can
/// kill the process inside that window.
#[cfg(feature = "test-hooks")]
pub const TEST_DELAY_BEFORE_RENAME_ENV: &str = "N6_TEST_DELAY_BEFORE_RENAME_MS";

/// Capacity of the write buffer; large so that a big state is written in few syscalls.
pub const WRITE_BUFFER_CAPACITY: usize = 256 * 1024;

/// Mode of the state directory when we create it.
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// Mode of every file we create in the state directory (state file, lock file).
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// How many temporary names to try before giving up (only hit if names keep colliding).
const TEMP_NAME_ATTEMPTS: u32 = 64;

/// Replaces the file at `path` atomically and durably with what `write` writes.
///
/// `write` gets a [`BufWriter`] over the temporary file (capacity
/// [`WRITE_BUFFER_CAPACITY`]); it need not flush. The target's directory must exist. The
/// new file has mode 0600 whatever the umask. If `path` is a symbolic link, the link
/// itself is replaced (rename never follows links); callers that must refuse links check
/// before calling.
///
/// Errors name the step and the file. On any error before the rename the temporary file
/// is removed and the target is untouched. An error from the final directory `fsync`
/// means the new content is in place but its durability is not confirmed.
pub fn write_atomically<F>(path: &Path, write: F) -> io::Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> io::Result<()>,
{
    replace_atomically(path, |temp_path, file| {
        let mut writer = BufWriter::with_capacity(WRITE_BUFFER_CAPACITY, file);
        write(&mut writer)
            .and_then(|()| writer.flush())
            .map_err(|e| annotate(e, format_args!("write {}", temp_path.display())))?;
        writer.into_inner().map_err(|e| {
            annotate(
                e.into_error(),
                format_args!("write {}", temp_path.display()),
            )
        })
    })
}

/// [`write_atomically`] for large contents written in big pieces (a state file): `write`
/// writes straight to the temporary file, with no buffer of its own in between (it
/// buffers itself), and the kernel starts writing every [`WRITEBACK_CHUNK`] bytes to the
/// disk as soon as they are written ([`EarlyWriteback`]), so that the final `fsync`
/// waits only for the last of them instead of all. The steps and guarantees are those of
/// [`write_atomically`].
pub(crate) fn write_atomically_streamed(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    replace_atomically(path, |temp_path, file| {
        let mut writer = EarlyWriteback::new(file);
        write(&mut writer)
            .map_err(|e| annotate(e, format_args!("write {}", temp_path.display())))?;
        Ok(writer.into_inner())
    })
}

/// The steps of an atomic replacement around `write`, which gets the temporary file (and
/// its path, for messages) and gives back the file, written: create → `write` → fsync →
/// (test delay) → rename → fsync of the directory.
fn replace_atomically<F>(path: &Path, write: F) -> io::Result<()>
where
    F: FnOnce(&Path, File) -> io::Result<File>,
{
    let dir = parent_dir(path);
    let file_name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} has no file name", path.display()),
        )
    })?;
    let (temp_path, file) = create_temp_file(dir, file_name)?;
    // Removes the temporary file on every early exit, including a panic in `write`.
    let guard = RemoveOnDrop(Some(&temp_path));
    let file = write(&temp_path, file)?;
    file.sync_all()
        .map_err(|e| annotate(e, format_args!("fsync {}", temp_path.display())))?;
    drop(file);
    #[cfg(feature = "test-hooks")]
    delay_for_tests();
    // A signal's watchdog must not end the process between the rename and its sync.
    let _no_exit = crate::run::signal::hold_exit();
    fs::rename(&temp_path, path).map_err(|e| {
        annotate(
            e,
            format_args!("rename {} to {}", temp_path.display(), path.display()),
        )
    })?;
    guard.disarm();
    sync_dir(dir)
}

/// How many written bytes [`EarlyWriteback`] lets accumulate before it asks the kernel
/// to start writing them out.
pub(crate) const WRITEBACK_CHUNK: u64 = 4 * 1024 * 1024;

/// A file written front to back whose every [`WRITEBACK_CHUNK`] bytes are handed to
/// the kernel's writeback as soon as they are written (`sync_file_range` with
/// `SYNC_FILE_RANGE_WRITE`: start writing, do not wait). The disk then works while the
/// rest is still being encoded, and the final `fsync` — still required, and still what
/// makes the content durable — has only the tail left to wait for. A file shorter than
/// one chunk is written exactly as without it.
pub(crate) struct EarlyWriteback {
    file: File,
    /// Bytes written so far.
    written: u64,
    /// Bytes already handed to the writeback.
    started: u64,
}

impl EarlyWriteback {
    /// Wraps `file`, positioned at its start.
    pub(crate) fn new(file: File) -> Self {
        EarlyWriteback {
            file,
            written: 0,
            started: 0,
        }
    }

    /// The file, written.
    pub(crate) fn into_inner(self) -> File {
        self.file
    }

    /// Starts the writeback of the bytes written since the last call. Only a hint: an
    /// error here is not the save's error (the `fsync` that follows reports any failed
    /// write of these pages). Linux only: elsewhere the final `fsync` does all the waiting.
    fn start_writeback(&mut self) {
        #[cfg(target_os = "linux")]
        self.hint_writeback(self.started, self.written - self.started);
        self.started = self.written;
    }

    /// `sync_file_range(SYNC_FILE_RANGE_WRITE)` of `len` bytes at `offset`.
    #[cfg(target_os = "linux")]
    fn hint_writeback(&self, offset: u64, len: u64) {
        use std::os::fd::AsRawFd;
        if let (Ok(offset), Ok(len)) = (
            libc::off64_t::try_from(offset),
            libc::off64_t::try_from(len),
        ) {
            // SAFETY: the descriptor is open for as long as `self.file` lives; the call
            // takes no pointers.
            unsafe {
                libc::sync_file_range(
                    self.file.as_raw_fd(),
                    offset,
                    len,
                    libc::SYNC_FILE_RANGE_WRITE,
                );
            }
        }
    }
}

impl Write for EarlyWriteback {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.file.write(data)?;
        self.written += n as u64;
        if self.written - self.started >= WRITEBACK_CHUNK {
            self.start_writeback();
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Removes a file when dropped, unless disarmed.
struct RemoveOnDrop<'a>(Option<&'a Path>);

impl RemoveOnDrop<'_> {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(path) = self.0 {
            // Best effort: the error that brought us here is what matters.
            let _ = fs::remove_file(path);
        }
    }
}

/// Makes sure the state directory `dir` exists.
///
/// A missing `dir` is created with mode 0700 (set explicitly, so a permissive umask
/// cannot widen it); missing parents get the default mode (`0777 & !umask`), as in n6.
/// An existing directory is never changed: see [`check_existing_dir`] for what is
/// refused and what is only warned about. `dir` may be a symbolic link to a directory.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if check_existing_dir(dir)? {
        return Ok(());
    }
    let parent = parent_dir(dir);
    fs::create_dir_all(parent)
        .map_err(|e| annotate(e, format_args!("create directory {}", parent.display())))?;
    match DirBuilder::new().mode(PRIVATE_DIR_MODE).create(dir) {
        Ok(()) => {
            fs::set_permissions(dir, fs::Permissions::from_mode(PRIVATE_DIR_MODE))
                .map_err(|e| annotate(e, format_args!("set mode 0700 on {}", dir.display())))?;
            sync_dir(parent)
        }
        // Created concurrently by another process: check it as any existing one.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => check_existing_dir(dir).map(|_| ()),
        Err(e) => Err(annotate(
            e,
            format_args!("create directory {}", dir.display()),
        )),
    }
}

/// Checks an existing state directory without changing anything; `Ok(false)` when
/// there is none.
///
/// Refused (an error naming why): a directory that is world-writable, has the sticky
/// bit (a shared directory such as `/tmp`), or is owned by another user — the state
/// and lock files of a collector must not sit where others can replace them, and a
/// directory the collector did not create is not its to chmod. Only warned about (once
/// per process): a directory that group or others can otherwise read or enter.
pub fn check_existing_dir(dir: &Path) -> io::Result<bool> {
    let meta = match fs::metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(annotate(e, format_args!("stat {}", dir.display()))),
    };
    if !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            format!("{} exists and is not a directory", dir.display()),
        ));
    }
    let mode = meta.permissions().mode() & 0o7777;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let mut reasons = Vec::new();
    if mode & 0o002 != 0 {
        reasons.push("world-writable".to_owned());
    }
    if mode & 0o1000 != 0 {
        reasons.push("sticky (a shared directory)".to_owned());
    }
    if meta.uid() != me {
        reasons.push(format!(
            "owned by uid {}, not by this user (uid {me})",
            meta.uid()
        ));
    }
    if !reasons.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "state directory {} (mode {mode:04o}) is {}: refusing to use it; give the \
                 collector a directory of its own (mode 0700)",
                dir.display(),
                reasons.join(" and ")
            ),
        ));
    }
    if mode & 0o077 != 0 && !WARNED_ABOUT_MODE.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            "state directory {} has mode {mode:04o}: group/others can access it (left as it \
             is; `chmod 700` it)",
            dir.display()
        );
    }
    Ok(true)
}

/// Whether [`check_existing_dir`] already warned about a permissive mode.
static WARNED_ABOUT_MODE: AtomicBool = AtomicBool::new(false);

/// The directory containing `path` (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Prefixes an I/O error's message with the failed step, keeping its kind.
pub(crate) fn annotate(e: io::Error, step: std::fmt::Arguments<'_>) -> io::Error {
    io::Error::new(e.kind(), format!("{step}: {e}"))
}

/// Removes temporary files that an earlier, killed save of `path` left behind
/// (`.{file name}.{pid}-{nonce}.tmp`). Call it only while holding the run lock, so no
/// other process is writing one of them. Returns how many were removed.
pub fn remove_stale_temp_files(path: &Path) -> io::Result<usize> {
    let (Some(dir), Some(file_name)) = (path.parent(), path.file_name()) else {
        return Ok(0);
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");
    let prefix = prefix.as_encoded_bytes().to_vec();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let bytes = name.as_encoded_bytes();
        if bytes.starts_with(&prefix) && bytes.ends_with(b".tmp") && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

fn create_temp_file(dir: &Path, file_name: &OsStr) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let pid = std::process::id();
    let mut last_error = None;
    for _ in 0..TEMP_NAME_ATTEMPTS {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let nonce = COUNTER.fetch_add(1, Ordering::Relaxed) ^ (u64::from(nanos) << 16);
        let mut name = std::ffi::OsString::from(".");
        name.push(file_name);
        name.push(format!(".{pid}-{nonce:x}.tmp"));
        let temp_path = dir.join(name);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(PRIVATE_FILE_MODE)
            .open(&temp_path)
        {
            Ok(file) => {
                // The umask may have removed owner bits; make the mode exactly 0600.
                if let Err(e) = file.set_permissions(fs::Permissions::from_mode(PRIVATE_FILE_MODE))
                {
                    drop(file);
                    let _ = fs::remove_file(&temp_path);
                    return Err(annotate(
                        e,
                        format_args!("set mode 0600 on {}", temp_path.display()),
                    ));
                }
                return Ok((temp_path, file));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => {
                return Err(annotate(
                    e,
                    format_args!("create temporary file {}", temp_path.display()),
                ));
            }
        }
    }
    let e = last_error.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists));
    Err(annotate(
        e,
        format_args!("create a temporary file in {}", dir.display()),
    ))
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| annotate(e, format_args!("fsync directory {}", dir.display())))
}

#[cfg(feature = "test-hooks")]
fn delay_for_tests() {
    if let Some(ms) = std::env::var_os(TEST_DELAY_BEFORE_RENAME_ENV)
        .and_then(|v| v.to_str().and_then(|s| s.trim().parse::<u64>().ok()))
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(test)]
mod stale_temp_tests {
    use super::*;

    #[test]
    fn removes_only_this_files_leftovers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("a.cbor");
        for name in [
            ".a.cbor.12-ab.tmp",
            ".a.cbor.7-1.tmp",
            ".b.cbor.12-ab.tmp",
            "a.cbor",
            ".a.cbor.lock",
        ] {
            std::fs::write(dir.path().join(name), b"x").expect("write");
        }
        assert_eq!(remove_stale_temp_files(&target).expect("clean"), 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".a.cbor.lock", ".b.cbor.12-ab.tmp", "a.cbor"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_file_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.cbor");
        fs::write(&target, b"old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o664)).unwrap();
        write_atomically(&target, |w| w.write_all(b"new content")).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new content");
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o7777,
            0o600
        );
        assert_eq!(names(dir.path()), ["t.cbor"]);
    }

    #[test]
    fn a_failing_writer_leaves_the_target_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.cbor");
        fs::write(&target, b"old").unwrap();
        let err = write_atomically(&target, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("boom"))
        })
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Other);
        assert!(err.to_string().contains("boom"), "{err}");
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["t.cbor"]);
    }

    #[test]
    fn a_panicking_writer_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.cbor");
        let result = std::panic::catch_unwind(|| {
            let _ = write_atomically(&target, |_| panic!("in the writer"));
        });
        assert!(result.is_err());
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn rename_onto_a_directory_fails_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.cbor");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), b"x").unwrap();
        let err = write_atomically(&target, |w| w.write_all(b"new")).unwrap_err();
        assert!(err.to_string().contains("rename"), "{err}");
        assert!(target.is_dir());
        assert_eq!(names(dir.path()), ["t.cbor"]);
    }

    #[test]
    fn missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("missing").join("t.cbor");
        let err = write_atomically(&target, |w| w.write_all(b"new")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(!dir.path().join("missing").exists());
    }

    #[test]
    fn create_private_dir_on_a_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, b"").unwrap();
        let err = create_private_dir(&file).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotADirectory);
    }

    #[test]
    fn a_streamed_write_of_several_writeback_chunks_is_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.cbor");
        fs::write(&target, b"old").unwrap();
        let piece: Vec<u8> = (0..=255u8).cycle().take(256 * 1024).collect();
        let pieces = (2 * WRITEBACK_CHUNK as usize) / piece.len() + 3;
        write_atomically_streamed(&target, &mut |w| {
            for _ in 0..pieces {
                w.write_all(&piece)?;
            }
            w.write_all(b"tail")
        })
        .unwrap();
        let written = fs::read(&target).unwrap();
        assert_eq!(written.len(), pieces * piece.len() + 4);
        assert!(written.chunks(piece.len()).take(pieces).all(|c| c == piece));
        assert!(written.ends_with(b"tail"));
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o7777,
            0o600
        );
        assert_eq!(names(dir.path()), ["t.cbor"]);
    }

    #[test]
    fn a_failing_streamed_write_leaves_the_target_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.cbor");
        fs::write(&target, b"old").unwrap();
        let big = vec![1u8; WRITEBACK_CHUNK as usize + 1];
        let err = write_atomically_streamed(&target, &mut |w| {
            w.write_all(&big)?;
            Err(io::Error::other("boom"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("boom"), "{err}");
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["t.cbor"]);
    }
}
