//! The on-disk format of a state file: a CBOR envelope around the collector's state.
//!
//! # Layout (envelope version 1)
//!
//! ```text
//! d9 d9 f7                     tag 55799 "self-described CBOR" (file magic, RFC 8949 §3.4.6)
//! a7                           map of 7 entries, text keys, written in this order:
//!   "format"            text   "n6-collectors-state"        (format marker)
//!   "envelope_version"  uint   1                            (this layout)
//!   "collector"         text   collector id, e.g. "urlhaus_urls.UrlhausUrlsCollector"
//!   "schema_version"    uint   the state type's schema version (u32)
//!   "saved_at"          text   RFC 3339 UTC time of the save, e.g. "2026-11-24T08:41:25Z"
//!   "written_by"        text   program and crate version, e.g. "urlhaus_urls (n6-collectors 0.1.0)"
//!   "state"             any    the payload: the state serialized with serde (ciborium)
//! ```
//!
//! With run tracking on (`--metrics-file`, `[n6_collectors_metrics]`), two optional text
//! entries (RFC 3339 UTC) follow `written_by`, and the map has one entry more for each:
//! `"last_success"` (the last successful run) and `"last_new_data"` (the last run that
//! published something). Older readers skip them as unknown header keys; without run
//! tracking they are not written and the file is as above, byte for byte.
//!
//! With conditional downloads on (`download_only_if_changed`,
//! `download_only_if_body_changed`), one more optional entry comes last before `state`:
//! `"downloads"`, a map from each URL (text) to what its last successful download was —
//! a map with the text entries `"etag"`, `"last_modified"` (verbatim response headers)
//! and `"sha256"` (lower-case hex of the body), each only when known. Written only when
//! not empty, so that without the options the file stays as above, byte for byte.
//!
//! The payload comes last so that a reader decodes and checks the header (is this our
//! format, our collector, a schema version we understand?) before it spends time on a
//! possibly large payload — and can refuse without touching it.
//!
//! # Reading rules
//!
//! - The file must start with the three tag bytes; the map may be definite or
//!   indefinite-length.
//! - `format` must be the first key and hold the marker: anything else is "not a state
//!   file".
//! - `envelope_version` greater than [`ENVELOPE_VERSION`] is refused (a newer layout).
//! - The other header keys may come in any order; unknown header keys are skipped (room
//!   for additions that do not need a new envelope version); duplicates are refused.
//! - `state` must be the last entry and every header field must precede it.
//! - Nothing may follow the map (ciborium alone would silently ignore trailing bytes).
//!
//! Every decode error carries the byte offset at which decoding failed; for a truncated
//! file that is the offset where the data ran out.

mod cbor;

use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use self::cbor::Encoder;
use super::error::StateError;
use crate::helpers::download::DownloadHistory;

/// The CBOR encoding of tag 55799 (self-described CBOR): the first three bytes of every
/// state file.
pub const SELF_DESCRIBE_TAG: [u8; 3] = [0xd9, 0xd9, 0xf7];

/// The value of the `format` entry.
pub const FORMAT_MARKER: &str = "n6-collectors-state";

/// The envelope version this binary writes, and the newest it reads.
pub const ENVELOPE_VERSION: u32 = 1;

/// The header of a state file: everything but the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeHeader {
    /// The layout version of the envelope (1).
    pub envelope_version: u32,
    /// The id of the collector that owns the file (`{module path}.{StructName}`).
    pub collector: String,
    /// The schema version of the state payload.
    pub schema_version: u32,
    /// When the file was saved (UTC, whole seconds).
    pub saved_at: OffsetDateTime,
    /// Which program wrote it: program name and crate version.
    pub written_by: String,
    /// When the collector last succeeded and last published something (run tracking).
    pub activity: Activity,
    /// Per URL, its last successful download (conditional downloads; empty without them).
    pub downloads: DownloadHistory,
}

/// The run history an envelope keeps when run tracking is on (see [`crate::run::metrics`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    /// The end of the last successful run.
    pub last_success: Option<OffsetDateTime>,
    /// The end of the last run that published at least one message.
    pub last_new_data: Option<OffsetDateTime>,
}

impl EnvelopeHeader {
    /// A header for a save happening now, with the current envelope version.
    pub fn now(collector: &str, schema_version: u32, written_by: &str) -> Self {
        let now = OffsetDateTime::now_utc();
        EnvelopeHeader {
            envelope_version: ENVELOPE_VERSION,
            collector: collector.to_owned(),
            schema_version,
            saved_at: now.replace_nanosecond(0).unwrap_or(now),
            written_by: written_by.to_owned(),
            activity: Activity::default(),
            downloads: DownloadHistory::default(),
        }
    }
}

/// Why writing an envelope failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum EncodeError {
    /// The writer failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The value cannot be serialized (its `Serialize` impl refused).
    #[error("{0}")]
    Value(String),
}

impl serde::ser::Error for EncodeError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        EncodeError::Value(msg.to_string())
    }
}

/// Writes the whole envelope (tag, header, `state`) to `w`, encoded straight into one
/// buffer of [`PIECE_SIZE`](cbor::PIECE_SIZE) bytes that `w` gets whenever it is full ([`Encoder`]): one
/// pass over the state, one copy of its bytes, writes of 256 KiB.
pub(crate) fn write_envelope<S: Serialize + ?Sized>(
    w: &mut dyn Write,
    header: &EnvelopeHeader,
    state: &S,
) -> Result<(), EncodeError> {
    let mut encoder = Encoder::to_writer(w);
    write_header(&mut encoder, header)?;
    encoder.encode(state)?;
    Ok(encoder.finish()?)
}

/// [`write_envelope`] with the state already encoded as CBOR (`payload`, one CBOR item):
/// a run's save encodes its state once, to see whether it changed, and writes those
/// bytes.
pub(crate) fn write_envelope_encoded(
    w: &mut dyn Write,
    header: &EnvelopeHeader,
    payload: &[u8],
) -> Result<(), EncodeError> {
    let mut encoder = Encoder::to_writer(w);
    write_header(&mut encoder, header)?;
    encoder.raw(payload)?;
    Ok(encoder.finish()?)
}

/// The CBOR encoding of a state payload (what follows the `state` key), in a buffer of
/// at first `capacity` bytes.
pub(crate) fn encode_payload<S: Serialize + ?Sized>(
    state: &S,
    capacity: usize,
) -> Result<Vec<u8>, EncodeError> {
    let mut encoder = Encoder::to_vec(capacity);
    encoder.encode(state)?;
    Ok(encoder.into_vec())
}

/// Everything before the payload: the tag, the map's head, the header entries and the
/// `state` key.
fn write_header(w: &mut Encoder<'_>, header: &EnvelopeHeader) -> Result<(), EncodeError> {
    let rfc3339 = |time: OffsetDateTime, name: &str| {
        time.format(&Rfc3339)
            .map_err(|e| EncodeError::Value(format!("cannot format {name}: {e}")))
    };
    let saved_at = rfc3339(header.saved_at, "saved_at")?;
    let mut activity = Vec::new();
    if let Some(time) = header.activity.last_success {
        activity.push(("last_success", rfc3339(time, "last_success")?));
    }
    if let Some(time) = header.activity.last_new_data {
        activity.push(("last_new_data", rfc3339(time, "last_new_data")?));
    }
    w.raw(&SELF_DESCRIBE_TAG)?;
    let downloads = usize::from(!header.downloads.is_empty());
    // map(7 + activity + downloads entries): at most 10, so the count fits the initial byte.
    w.raw(&[0xa7 + (activity.len() + downloads) as u8])?;
    put(w, "format", FORMAT_MARKER)?;
    put(w, "envelope_version", &header.envelope_version)?;
    put(w, "collector", header.collector.as_str())?;
    put(w, "schema_version", &header.schema_version)?;
    put(w, "saved_at", saved_at.as_str())?;
    put(w, "written_by", header.written_by.as_str())?;
    for (key, time) in &activity {
        put(w, key, time.as_str())?;
    }
    if !header.downloads.is_empty() {
        put(w, "downloads", &header.downloads)?;
    }
    w.encode("state")
}

fn put<V: Serialize + ?Sized>(
    w: &mut Encoder<'_>,
    key: &str,
    value: &V,
) -> Result<(), EncodeError> {
    w.encode(key)?;
    w.encode(value)
}

/// A reader that counts the bytes consumed, so decode errors can name a byte offset.
///
/// `read_exact` is implemented as a loop over `read`, so on a truncated input the count
/// includes every byte that was available: the position is where the data ran out.
#[derive(Debug)]
pub(crate) struct CountingReader<R> {
    inner: R,
    position: u64,
}

impl<R: BufRead> CountingReader<R> {
    /// Wraps `inner`, starting the count at 0.
    pub(crate) fn new(inner: R) -> Self {
        CountingReader { inner, position: 0 }
    }

    /// Bytes consumed so far.
    pub(crate) fn position(&self) -> u64 {
        self.position
    }

    /// The next byte without consuming it; `None` at end of input.
    pub(crate) fn peek_byte(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.inner.fill_buf() {
                Ok(buf) => return Ok(buf.first().copied()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl<R: BufRead> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position += n as u64;
        Ok(n)
    }

    fn read_exact(&mut self, mut buf: &mut [u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.read(buf) {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
                Ok(n) => buf = &mut buf[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// The decoded header plus where its checked fields are, for error messages.
#[derive(Debug)]
pub(crate) struct DecodedHeader {
    /// The header.
    pub(crate) header: EnvelopeHeader,
    /// Byte offset of the `collector` value.
    pub(crate) collector_offset: u64,
    /// Byte offset of the `schema_version` value.
    pub(crate) schema_offset: u64,
}

/// How the envelope map ends.
#[derive(Debug, Clone, Copy)]
enum MapLength {
    /// Entries still to read.
    Definite(u64),
    /// Ends with a break byte (0xff).
    Indefinite,
}

/// The header entries read so far (each `None` until its entry is read).
#[derive(Debug, Default)]
struct HeaderFields {
    envelope_version: Option<u32>,
    /// The value and its byte offset.
    collector: Option<(String, u64)>,
    /// The value and its byte offset.
    schema_version: Option<(u32, u64)>,
    saved_at: Option<OffsetDateTime>,
    written_by: Option<String>,
    last_success: Option<OffsetDateTime>,
    last_new_data: Option<OffsetDateTime>,
    downloads: Option<DownloadHistory>,
}

impl HeaderFields {
    /// The decoded header, once `state` was reached; `missing` names a required entry
    /// that was not read (the first one, in the order of the layout).
    fn complete(self, missing: impl Fn(&str) -> StateError) -> Result<DecodedHeader, StateError> {
        let envelope_version = self
            .envelope_version
            .ok_or_else(|| missing("envelope_version"))?;
        let (collector, collector_offset) = self.collector.ok_or_else(|| missing("collector"))?;
        let (schema_version, schema_offset) = self
            .schema_version
            .ok_or_else(|| missing("schema_version"))?;
        let saved_at = self.saved_at.ok_or_else(|| missing("saved_at"))?;
        let written_by = self.written_by.ok_or_else(|| missing("written_by"))?;
        Ok(DecodedHeader {
            header: EnvelopeHeader {
                envelope_version,
                collector,
                schema_version,
                saved_at,
                written_by,
                activity: Activity {
                    last_success: self.last_success,
                    last_new_data: self.last_new_data,
                },
                downloads: self.downloads.unwrap_or_default(),
            },
            collector_offset,
            schema_offset,
        })
    }
}

/// Decodes an envelope step by step: [`Self::read_header`], then [`Self::read_payload`],
/// then [`Self::finish`].
#[derive(Debug)]
pub(crate) struct EnvelopeDecoder<'p, R> {
    path: &'p Path,
    input: CountingReader<R>,
    map: MapLength,
}

impl<'p, R: BufRead> EnvelopeDecoder<'p, R> {
    /// Decodes from `input` (should be buffered); errors name `path`.
    pub(crate) fn new(path: &'p Path, input: R) -> Self {
        EnvelopeDecoder {
            path,
            input: CountingReader::new(input),
            map: MapLength::Definite(0),
        }
    }

    /// Decodes the RFC 3339 text value of header entry `name` (at `offset`).
    fn decode_time(&mut self, name: &str, offset: u64) -> Result<OffsetDateTime, StateError> {
        let text: String = self.decode(&format!("the `{name}` value"))?;
        OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| {
            self.corrupt(
                offset,
                format!("`{name}` {text:?} is not an RFC 3339 time: {e}"),
            )
        })
    }

    /// Reads the tag, the map header and every header entry up to and including the
    /// `state` key. Refuses a wrong format marker and a newer envelope version at once.
    pub(crate) fn read_header(&mut self) -> Result<DecodedHeader, StateError> {
        self.read_tag()?;
        self.map = self.read_map_length()?;
        self.read_format_entry()?;
        let mut fields = HeaderFields::default();
        loop {
            let key_offset = self.input.position();
            let Some(key) = self.next_key()? else {
                return Err(self.corrupt(key_offset, "the envelope has no `state` entry"));
            };
            if key == "state" {
                break;
            }
            if self.read_header_entry(&key, &mut fields)? {
                return Err(self.corrupt(key_offset, format!("duplicate `{key}` entry")));
            }
        }
        let state_offset = self.input.position();
        fields.complete(|name| {
            self.corrupt(
                state_offset,
                format!("the envelope has no `{name}` entry before `state`"),
            )
        })
    }

    /// Reads the first entry, which must be `format` with the marker.
    fn read_format_entry(&mut self) -> Result<(), StateError> {
        let key_offset = self.input.position();
        let first_key = self.next_key()?;
        if first_key.as_deref() != Some("format") {
            return Err(self.corrupt(
                key_offset,
                "not an n6-collectors state file (the envelope does not start with a `format` entry)",
            ));
        }
        let offset = self.input.position();
        let format: String = self.decode("the `format` value")?;
        if format != FORMAT_MARKER {
            return Err(self.corrupt(
                offset,
                format!("not an n6-collectors state file (format marker {format:?}, expected {FORMAT_MARKER:?})"),
            ));
        }
        Ok(())
    }

    /// Reads the value of the header entry `key` into `fields` (an unknown key's value is
    /// skipped); returns whether the entry was there already (a duplicate).
    fn read_header_entry(
        &mut self,
        key: &str,
        fields: &mut HeaderFields,
    ) -> Result<bool, StateError> {
        let offset = self.input.position();
        Ok(match key {
            "envelope_version" => {
                let version = self.read_envelope_version(offset)?;
                fields.envelope_version.replace(version).is_some()
            }
            "collector" => {
                let value: String = self.decode("the `collector` value")?;
                fields.collector.replace((value, offset)).is_some()
            }
            "schema_version" => {
                let value: u32 = self.decode("the `schema_version` value")?;
                fields.schema_version.replace((value, offset)).is_some()
            }
            "saved_at" => {
                let time = self.decode_time("saved_at", offset)?;
                fields.saved_at.replace(time).is_some()
            }
            "written_by" => {
                let value: String = self.decode("the `written_by` value")?;
                fields.written_by.replace(value).is_some()
            }
            "last_success" => {
                let time = self.decode_time("last_success", offset)?;
                fields.last_success.replace(time).is_some()
            }
            "last_new_data" => {
                let time = self.decode_time("last_new_data", offset)?;
                fields.last_new_data.replace(time).is_some()
            }
            "downloads" => {
                let history = self.decode::<DownloadHistory>("the `downloads` value")?;
                fields.downloads.replace(history).is_some()
            }
            "format" => true,
            _ => {
                self.decode::<IgnoredAny>("an unknown header value")?;
                false
            }
        })
    }

    /// Decodes the `envelope_version` value (at `offset`): 1 up to [`ENVELOPE_VERSION`];
    /// a greater one is a newer layout.
    fn read_envelope_version(&mut self, offset: u64) -> Result<u32, StateError> {
        let version: u64 = self.decode("the `envelope_version` value")?;
        match u32::try_from(version) {
            Ok(v) if (1..=ENVELOPE_VERSION).contains(&v) => Ok(v),
            _ if version > u64::from(ENVELOPE_VERSION) => Err(StateError::NewerEnvelope {
                path: self.path.to_owned(),
                offset,
                found: version,
                supported: ENVELOPE_VERSION,
            }),
            _ => Err(self.corrupt(offset, format!("invalid envelope version {version}"))),
        }
    }

    /// Decodes the `state` value (call after [`Self::read_header`]).
    pub(crate) fn read_payload<T: DeserializeOwned>(&mut self) -> Result<T, StateError> {
        self.decode("the state")
    }

    /// Checks that the map ends after `state` and that nothing follows it.
    pub(crate) fn finish(&mut self) -> Result<(), StateError> {
        let offset = self.input.position();
        match self.map {
            MapLength::Definite(0) => {}
            MapLength::Definite(_) => {
                return Err(
                    self.corrupt(offset, "entries after `state` (it must be the last entry)")
                );
            }
            MapLength::Indefinite => match self.peek()? {
                Some(0xff) => self.skip_byte()?,
                Some(_) => {
                    return Err(
                        self.corrupt(offset, "entries after `state` (it must be the last entry)")
                    );
                }
                None => {
                    return Err(
                        self.corrupt(offset, "the file ends before the end of the envelope")
                    );
                }
            },
        }
        let offset = self.input.position();
        match self.peek()? {
            None => Ok(()),
            Some(_) => Err(self.corrupt(offset, "trailing bytes after the end of the envelope")),
        }
    }

    fn read_tag(&mut self) -> Result<(), StateError> {
        for (i, expected) in SELF_DESCRIBE_TAG.into_iter().enumerate() {
            let offset = self.input.position();
            match self.read_byte()? {
                Some(byte) if byte == expected => {}
                Some(_) => {
                    return Err(self.corrupt(
                        offset,
                        "not an n6-collectors state file (it does not start with the CBOR self-describe tag d9 d9 f7)",
                    ));
                }
                None if i == 0 => return Err(self.corrupt(offset, "the file is empty")),
                None => {
                    return Err(
                        self.corrupt(offset, "the file ends inside the CBOR self-describe tag")
                    );
                }
            }
        }
        Ok(())
    }

    fn read_map_length(&mut self) -> Result<MapLength, StateError> {
        let offset = self.input.position();
        let Some(initial) = self.read_byte()? else {
            return Err(self.corrupt(offset, "the file ends before the envelope map"));
        };
        if initial >> 5 != 5 {
            return Err(self.corrupt(offset, "the envelope is not a CBOR map"));
        }
        let extra_bytes = match initial & 0x1f {
            n @ 0..=23 => return Ok(MapLength::Definite(u64::from(n))),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            31 => return Ok(MapLength::Indefinite),
            _ => return Err(self.corrupt(offset, "invalid CBOR map header")),
        };
        let mut length = 0u64;
        for _ in 0..extra_bytes {
            let at = self.input.position();
            let Some(byte) = self.read_byte()? else {
                return Err(self.corrupt(at, "the file ends inside the envelope map header"));
            };
            length = (length << 8) | u64::from(byte);
        }
        Ok(MapLength::Definite(length))
    }

    /// The next key of the envelope map, or `None` at the end of the map.
    fn next_key(&mut self) -> Result<Option<String>, StateError> {
        match self.map {
            MapLength::Definite(0) => return Ok(None),
            MapLength::Definite(n) => self.map = MapLength::Definite(n - 1),
            MapLength::Indefinite => {
                if self.peek()? == Some(0xff) {
                    return Ok(None);
                }
            }
        }
        self.decode("an envelope key (text)").map(Some)
    }

    /// Decodes one CBOR item as `T`, mapping errors to offsets in the file.
    fn decode<T: DeserializeOwned>(&mut self, what: &str) -> Result<T, StateError> {
        let start = self.input.position();
        ciborium::from_reader(&mut self.input).map_err(|e| {
            use ciborium::de::Error;
            let here = self.input.position();
            let at = |offset: usize| start.saturating_add(offset as u64);
            match e {
                Error::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    self.corrupt(here, format!("the file ends in the middle of {what}"))
                }
                Error::Io(source) => self.io("read", source),
                Error::Syntax(offset) => {
                    self.corrupt(at(offset), format!("invalid CBOR in {what}"))
                }
                Error::Semantic(offset, msg) => self.corrupt(
                    offset.map_or(here, at),
                    format!("{what} does not have the expected shape: {msg}"),
                ),
                Error::RecursionLimitExceeded => {
                    self.corrupt(here, format!("{what} is nested too deeply"))
                }
            }
        })
    }

    fn read_byte(&mut self) -> Result<Option<u8>, StateError> {
        let mut byte = [0u8; 1];
        match self.input.read_exact(&mut byte) {
            Ok(()) => Ok(Some(byte[0])),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(self.io("read", e)),
        }
    }

    fn skip_byte(&mut self) -> Result<(), StateError> {
        self.read_byte().map(drop)
    }

    fn peek(&mut self) -> Result<Option<u8>, StateError> {
        self.input.peek_byte().map_err(|e| self.io("read", e))
    }

    fn corrupt(&self, offset: u64, reason: impl Into<String>) -> StateError {
        StateError::Corrupt {
            path: self.path.to_owned(),
            offset,
            reason: reason.into(),
        }
    }

    fn io(&self, action: &'static str, source: io::Error) -> StateError {
        StateError::Io {
            path: PathBuf::from(self.path),
            action,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::download::KnownDownload;

    fn encoded(header: &EnvelopeHeader) -> Vec<u8> {
        let mut bytes = Vec::new();
        write_envelope(&mut bytes, header, &7u32).expect("encode");
        bytes
    }

    #[test]
    fn the_download_history_round_trips_and_is_absent_when_empty() {
        let mut header = EnvelopeHeader::now("m.X", 1, "x (n6-collectors 0)");
        let plain = encoded(&header);
        assert!(
            !plain.windows(9).any(|w| w == b"downloads"),
            "no `downloads` entry without conditional downloads"
        );
        header.downloads.0.insert(
            "http://127.0.0.1/feed".to_owned(),
            KnownDownload {
                etag: Some("\"v1\"".to_owned()),
                last_modified: None,
                sha256: Some("ab".to_owned()),
            },
        );
        let bytes = encoded(&header);
        assert_eq!(bytes[3], 0xa8, "one entry more");
        let path = Path::new("test.cbor");
        let mut decoder = EnvelopeDecoder::new(path, bytes.as_slice());
        let decoded = decoder.read_header().expect("header");
        assert_eq!(decoded.header, header);
        assert_eq!(decoder.read_payload::<u32>().expect("payload"), 7);
        decoder.finish().expect("end");
    }
}
