//! Archives and compressed downloads with n6's member rules and a size limit against
//! decompression bombs.
//!
//! | n6 | here |
//! |---|---|
//! | `[(_, data)] = iter_unzip_from_bytes(zipped, filenames=[NAME])` (URLhaus URLs) | [`unzip_one_named`] |
//! | `[(_, data)] = iter_unzip_from_bytes(zipped)` (URLhaus payloads URLs) | [`unzip_only_member`] |
//! | `iter_unzip_from_bytes(zipped, filenames=...)` (n6lib's `unpacking_helpers`) | [`unzip_by_basenames`] |
//! | `ZipFile(...).read(zf.namelist()[0])` (Stop Forum Spam) | [`unzip_first_member`] |
//! | `ZipFile(...).read(NAME)` (URLhaus payload samples) | [`unzip_member`] |
//! | `bz2.decompress(data)` | [`bz2_decompress`] |
//! | Phishtank's `try: bz2.decompress(data) except IOError: data` | [`bz2_decompress_or_raw`] |
//! | `gzip.decompress(data)` | [`gunzip`] |
//! | the manual collector's gzip-by-magic (`\x1f\x8b`) read | [`gunzip_if_magic`] |
//!
//! Member names are matched as Python's `zipfile` lists them (central-directory order,
//! UTF-8 or CP437 names); `iter_unzip_from_bytes` matches *base names* (the part after
//! the last `/`) and also lists directory entries (base name `""`). Every function takes
//! [`Limits`]: output beyond `max_size` bytes (per call) is [`ArchiveError::TooLarge`].
//! Archive errors become [`Error::BadData`] with `?`.
//!
//! ```
//! use n6_collectors::helpers::archive::{self, Limits};
//!
//! # fn zipped() -> Vec<u8> {
//! #     use std::io::Write;
//! #     let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
//! #     w.start_file("data/csv.txt", zip::write::SimpleFileOptions::default()).unwrap();
//! #     w.write_all(b"1,2\n").unwrap();
//! #     w.finish().unwrap().into_inner()
//! # }
//! let limits = Limits::default();
//! let data = zipped(); // e.g. downloader.get(url)?
//! assert_eq!(archive::unzip_one_named(&data, "csv.txt", limits)?, b"1,2\n");
//! assert_eq!(archive::bz2_decompress_or_raw(b"plain text", limits)?, b"plain text");
//! # Ok::<(), archive::ArchiveError>(())
//! ```

use std::io::{Cursor, Read};

use crate::error::Error;

/// The default limit on decompressed output: 1 GiB, as downloads.
pub const DEFAULT_MAX_SIZE: u64 = 1 << 30;

/// Limits applied while decompressing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes one call may produce.
    pub max_size: u64,
}

impl Default for Limits {
    /// [`DEFAULT_MAX_SIZE`].
    fn default() -> Self {
        Limits {
            max_size: DEFAULT_MAX_SIZE,
        }
    }
}

impl Limits {
    /// A limit of `max_size` bytes.
    pub fn max_size(max_size: u64) -> Self {
        Limits { max_size }
    }
}

/// Why an archive or compressed stream could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Not a ZIP archive, or a damaged one (Python's `BadZipFile`).
    #[error("not a valid ZIP archive: {0}")]
    Zip(#[source] zip::result::ZipError),
    /// A member could not be read (damaged, encrypted or an unsupported method).
    #[error("cannot read ZIP member {name:?}: {source}")]
    Member {
        /// The member's name in the archive.
        name: String,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// No member of that name (Python's `KeyError` from `ZipFile.read`).
    #[error("there is no item named {name:?} in the archive")]
    NoSuchMember {
        /// The name asked for.
        name: String,
    },
    /// n6's one-member unpacking (`[(_, data)] = ...`) found another count.
    #[error("expected exactly one {what} in the ZIP archive, found {found}")]
    MemberCount {
        /// What was counted, e.g. `member` or `member named "csv.txt"`.
        what: String,
        /// How many there were.
        found: usize,
    },
    /// The output would exceed [`Limits::max_size`].
    #[error("{what}: the decompressed data exceeds the limit of {limit} bytes")]
    TooLarge {
        /// What was being decompressed.
        what: String,
        /// The limit.
        limit: u64,
    },
    /// Not bzip2 data (Python's `OSError: Invalid data stream`).
    #[error("invalid bzip2 data: {0}")]
    Bz2Invalid(String),
    /// The bzip2 data ended inside a stream (Python's `ValueError`).
    #[error("bzip2: compressed data ended before the end-of-stream marker was reached")]
    Bz2Truncated,
    /// Not gzip data, a damaged or truncated member (Python's `BadGzipFile`, `EOFError`).
    #[error("invalid gzip data: {0}")]
    Gzip(String),
}

impl From<ArchiveError> for Error {
    fn from(e: ArchiveError) -> Error {
        Error::bad_data(e)
    }
}

type Result<T> = std::result::Result<T, ArchiveError>;

fn open_zip(data: &[u8]) -> Result<zip::ZipArchive<Cursor<&[u8]>>> {
    zip::ZipArchive::new(Cursor::new(data)).map_err(ArchiveError::Zip)
}

/// Reads `reader` into memory, failing beyond `limits`.
fn read_limited(reader: impl Read, limits: Limits, what: &str) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    reader
        .take(limits.max_size.saturating_add(1))
        .read_to_end(&mut out)?;
    if out.len() as u64 > limits.max_size {
        return Err(std::io::Error::other(TooLargeMarker(what.to_owned())));
    }
    Ok(out)
}

#[derive(Debug)]
struct TooLargeMarker(String);

impl std::fmt::Display for TooLargeMarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: too large", self.0)
    }
}

impl std::error::Error for TooLargeMarker {}

fn member_error(name: &str, source: std::io::Error, limits: Limits) -> ArchiveError {
    match source
        .get_ref()
        .and_then(|e| e.downcast_ref::<TooLargeMarker>())
    {
        Some(TooLargeMarker(what)) => ArchiveError::TooLarge {
            what: what.clone(),
            limit: limits.max_size,
        },
        None => ArchiveError::Member {
            name: name.to_owned(),
            source,
        },
    }
}

/// The member names in `zipfile.namelist()` order.
pub fn zip_names(data: &[u8]) -> Result<Vec<String>> {
    let archive = open_zip(data)?;
    archive
        .file_names()
        .map(|n| n.map(|n| n.into_owned()).map_err(ArchiveError::Zip))
        .collect()
}

/// Reads member `index`; `budget` is what is left of the call's limit.
fn read_index(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    budget: Limits,
) -> Result<(String, Vec<u8>)> {
    let file = archive.by_index(index).map_err(ArchiveError::Zip)?;
    let name = file.name().map_err(ArchiveError::Zip)?.into_owned();
    let what = format!("ZIP member {name:?}");
    let data = read_limited(file, budget, &what).map_err(|e| member_error(&name, e, budget))?;
    Ok((name, data))
}

/// Python's `os.path.basename` on a member name.
fn basename(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// n6's `iter_unzip_from_bytes(zipped, filenames=basenames)`: every member whose base
/// name is in `basenames` (all members, directories included, for `None`), in archive
/// order, as `(base name, content)`; the limit applies to the total.
pub fn unzip_by_basenames(
    data: &[u8],
    basenames: Option<&[&str]>,
    limits: Limits,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut archive = open_zip(data)?;
    let mut out = Vec::new();
    let mut left = limits.max_size;
    for index in 0..archive.len() {
        let name = match archive.name_for_index(index) {
            Some(name) => name.map_err(ArchiveError::Zip)?.into_owned(),
            None => continue,
        };
        let base = basename(&name).to_owned();
        if basenames.is_some_and(|wanted| !wanted.contains(&base.as_str())) {
            continue;
        }
        let (_, content) =
            read_index(&mut archive, index, Limits::max_size(left)).map_err(|e| match e {
                ArchiveError::TooLarge { what, .. } => ArchiveError::TooLarge {
                    what,
                    limit: limits.max_size,
                },
                other => other,
            })?;
        left -= content.len() as u64;
        out.push((base, content));
    }
    Ok(out)
}

/// `[(_, data)] = iter_unzip_from_bytes(zipped, filenames=[basename])` (n6's URLhaus
/// URLs collector): exactly one member with that base name.
pub fn unzip_one_named(data: &[u8], basename: &str, limits: Limits) -> Result<Vec<u8>> {
    let found = unzip_by_basenames(data, Some(&[basename]), limits)?;
    exactly_one(found, || format!("member named {basename:?}"))
}

/// `[(_, data)] = iter_unzip_from_bytes(zipped)` (n6's URLhaus payloads URLs collector):
/// the archive must hold exactly one entry (a directory entry counts).
pub fn unzip_only_member(data: &[u8], limits: Limits) -> Result<Vec<u8>> {
    let count = open_zip(data)?.len();
    if count != 1 {
        return Err(ArchiveError::MemberCount {
            what: "member".to_owned(),
            found: count,
        });
    }
    let found = unzip_by_basenames(data, None, limits)?;
    exactly_one(found, || "member".to_owned())
}

fn exactly_one(found: Vec<(String, Vec<u8>)>, what: impl Fn() -> String) -> Result<Vec<u8>> {
    let count = found.len();
    match <[(String, Vec<u8>); 1]>::try_from(found) {
        Ok([(_, content)]) => Ok(content),
        Err(_) => Err(ArchiveError::MemberCount {
            what: what(),
            found: count,
        }),
    }
}

/// `zf.read(zf.namelist()[0])` (n6's Stop Forum Spam collector): the first entry; an
/// empty archive is [`ArchiveError::MemberCount`] (Python's `IndexError`).
pub fn unzip_first_member(data: &[u8], limits: Limits) -> Result<Vec<u8>> {
    let mut archive = open_zip(data)?;
    if archive.is_empty() {
        return Err(ArchiveError::MemberCount {
            what: "member (at least)".to_owned(),
            found: 0,
        });
    }
    read_index(&mut archive, 0, limits).map(|(_, content)| content)
}

/// `zf.read(name)` (n6's URLhaus payload samples collector): the member whose full
/// name is `name`.
pub fn unzip_member(data: &[u8], name: &str, limits: Limits) -> Result<Vec<u8>> {
    let mut archive = open_zip(data)?;
    let index = archive
        .index_for_name(name)
        .ok_or_else(|| ArchiveError::NoSuchMember {
            name: name.to_owned(),
        })?;
    read_index(&mut archive, index, limits).map(|(_, content)| content)
}

/// Python's `bz2.decompress(data)`: concatenated streams are joined; data after the
/// first stream that is not a valid stream is ignored; invalid data at the start is
/// [`ArchiveError::Bz2Invalid`], a stream cut short [`ArchiveError::Bz2Truncated`];
/// empty input gives empty output.
pub fn bz2_decompress(data: &[u8], limits: Limits) -> Result<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    let mut rest = data;
    let mut first = true;
    let mut chunk = vec![0u8; 64 * 1024];
    while !rest.is_empty() {
        let mut stream = bzip2::Decompress::new(false);
        let mut stream_out: Vec<u8> = Vec::new();
        let ended = loop {
            let before_in = stream.total_in();
            let before_out = stream.total_out();
            let status = stream.decompress(&rest[before_in as usize..], &mut chunk);
            let produced = (stream.total_out() - before_out) as usize;
            stream_out.extend_from_slice(&chunk[..produced]);
            if (out.len() + stream_out.len()) as u64 > limits.max_size {
                return Err(ArchiveError::TooLarge {
                    what: "bzip2 data".to_owned(),
                    limit: limits.max_size,
                });
            }
            match status {
                Ok(bzip2::Status::StreamEnd) => break true,
                Ok(_) => {
                    let consumed = stream.total_in() - before_in;
                    if consumed == 0 && produced == 0 {
                        break false;
                    }
                }
                Err(e) if first => return Err(ArchiveError::Bz2Invalid(e.to_string())),
                // Leftover data that is not a valid stream: ignored, as Python does.
                Err(_) => return Ok(out),
            }
        };
        if !ended {
            return Err(ArchiveError::Bz2Truncated);
        }
        out.extend_from_slice(&stream_out);
        rest = &rest[stream.total_in() as usize..];
        first = false;
    }
    Ok(out)
}

/// n6's Phishtank rule for a body of unknown type: `bz2.decompress(data)`, or the data
/// itself when it is not bzip2 (Python's `OSError`); a truncated stream and the size
/// limit are still errors.
pub fn bz2_decompress_or_raw(data: &[u8], limits: Limits) -> Result<Vec<u8>> {
    match bz2_decompress(data, limits) {
        Err(ArchiveError::Bz2Invalid(_)) => Ok(data.to_vec()),
        other => other,
    }
}

/// Starts with the gzip magic `\x1f\x8b`.
pub fn is_gzip(data: &[u8]) -> bool {
    data.starts_with(b"\x1f\x8b")
}

/// Python's `gzip.decompress(data)`: every member in turn (CRC and length checked),
/// zero padding between and after members skipped; anything else after a member is
/// an error ("Not a gzipped file"), as is empty input's opposite: data not starting
/// with the magic. Empty input gives empty output.
pub fn gunzip(data: &[u8], limits: Limits) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        if !is_gzip(rest) {
            let shown: Vec<u8> = rest.iter().take(2).copied().collect();
            return Err(ArchiveError::Gzip(format!(
                "Not a gzipped file ({})",
                n6_collectors_config::py::repr::py_bytes_repr(&shown)
            )));
        }
        let left = Limits::max_size(limits.max_size - out.len() as u64);
        let mut decoder = flate2::bufread::GzDecoder::new(rest);
        let member = read_limited(&mut decoder, left, "gzip data").map_err(|e| {
            match e.get_ref().and_then(|i| i.downcast_ref::<TooLargeMarker>()) {
                Some(_) => ArchiveError::TooLarge {
                    what: "gzip data".to_owned(),
                    limit: limits.max_size,
                },
                None => ArchiveError::Gzip(e.to_string()),
            }
        })?;
        out.extend_from_slice(&member);
        rest = decoder.into_inner();
        let zeros = rest.iter().take_while(|b| **b == 0).count();
        rest = &rest[zeros..];
    }
    Ok(out)
}

/// The manual collector's rule: gunzip when the data starts with the gzip magic, else
/// the data as it is.
pub fn gunzip_if_magic(data: &[u8], limits: Limits) -> Result<Vec<u8>> {
    if is_gzip(data) {
        gunzip(data, limits)
    } else {
        Ok(data.to_vec())
    }
}
