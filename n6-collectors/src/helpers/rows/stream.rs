//! n6's `get_fresh_rows_only` over a reader: the feed is read in bounded chunks
//! ([`CHUNK_SIZE`]), every row is looked at while its chunk is in memory, and only the
//! fresh rows (and the few with the newest time) are kept.
//!
//! The selection is [`select_from_rows`](super::select_from_rows)'s, row by row, with the
//! same results (fresh rows in n6's order, duplicates kept, the same count warnings and
//! state); what differs is where the rows live:
//!
//! * Fresh rows are copied as they come into one buffer, **filled from its end**. A feed
//!   listed newest first (n6's usual case) thus ends up in the buffer oldest first —
//!   n6's output order — already joined with `\n`: the buffer becomes the message body
//!   without a second copy of the rows.
//! * Whether the feed was newest first (the reversed candidates need no sort) is checked
//!   while reading, and so are duplicates among rows of equal time (they are adjacent
//!   then). A feed in another order is sorted at the end as n6 sorts it (a stable sort by
//!   time of the reversed candidates), the times taken again from the kept rows.
//!
//! With the feed's size known in advance (a file, HTTP `Content-Length`) the buffer is
//! allocated once at that size; pages never written are never touched, so a run with few
//! fresh rows stays small. A row longer than a chunk grows the read buffer to fit it.

use std::cmp::Ordering;
use std::io::{self, Read};

use super::row::Row;
use super::select::{
    CountMismatch, RowsOptions, check_invariant, cmp_times, count_problems, has_duplicates,
    join_rows, split_rows,
};
use super::state::RowsState;
use super::text::TimeText;
use super::time::RowTime;

/// How many bytes of the feed are read at a time.
pub const CHUNK_SIZE: usize = 1 << 20;

/// Why a streamed selection failed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Reading the feed failed (for a download: a [`DownloadError`] inside, see
    /// [`DownloadError::from_read_error`]).
    ///
    /// [`DownloadError`]: crate::helpers::download::DownloadError
    /// [`DownloadError::from_read_error`]: crate::helpers::download::DownloadError::from_read_error
    #[error("reading the feed: {0}")]
    Read(#[source] io::Error),
    /// A count problem with `row_count_mismatch_is_fatal` set.
    #[error(transparent)]
    Count(#[from] CountMismatch),
}

/// The result of a streamed selection: the fresh rows, owned, already joined as n6's
/// body, and what the state becomes when they are published.
#[derive(Debug)]
pub struct StreamedSelection {
    /// The fresh rows oldest first (n6's order), joined with `\n`, no trailing newline.
    body: Vec<u8>,
    /// How many fresh rows `body` holds.
    fresh: usize,
    /// Usable rows in the feed (old and new).
    pub rows_count: u64,
    /// The newest time at or after the previous newest time, with its rows.
    newest: Option<(String, Vec<Row>)>,
    /// The count problems, as n6's one WARNING message (when not fatal).
    pub warning: Option<String>,
    /// n6's internal assertion failed (see [`Selection::inconsistency`](super::Selection)).
    pub inconsistency: Option<String>,
}

impl StreamedSelection {
    /// True when there is nothing to publish.
    pub fn is_empty(&self) -> bool {
        self.fresh == 0
    }

    /// How many fresh rows there are.
    pub fn len(&self) -> usize {
        self.fresh
    }

    /// n6's message body: the fresh rows joined with `\n`, no trailing newline.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The fresh rows, oldest first, duplicates kept.
    pub fn fresh_rows(&self) -> impl Iterator<Item = &[u8]> + '_ {
        split_rows(&self.body).take(self.fresh)
    }

    /// The state after publishing the fresh rows; `None` when there are none.
    pub fn new_state(&self) -> Option<RowsState> {
        if self.fresh == 0 {
            return None;
        }
        let (time, rows) = self.newest.as_ref()?;
        Some(RowsState {
            newest_row_time: time.clone(),
            newest_rows: rows.iter().cloned().collect(),
            rows_count: Some(self.rows_count),
        })
    }

    /// The body, the new state and the row count; `None` when nothing is fresh.
    pub fn into_parts(self) -> Option<(Vec<u8>, RowsState, usize)> {
        let state = self.new_state()?;
        Some((self.body, state, self.fresh))
    }
}

/// [`select_fresh_rows`](super::select_fresh_rows) over the feed `reader` yields, read in
/// chunks of [`CHUNK_SIZE`]. `size_hint` (the feed's length, when known) sizes the buffer
/// of the fresh rows once.
pub fn select_fresh_rows_streaming<R: Read, T: RowTime + ?Sized>(
    mut reader: R,
    size_hint: Option<u64>,
    state: &RowsState,
    row_time: &T,
    options: RowsOptions,
) -> Result<StreamedSelection, StreamError> {
    let mut selector = Selector::new(state, row_time, size_hint);
    let mut buf = vec![0u8; CHUNK_SIZE];
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            // One row longer than the buffer: make room for more of it.
            buf.resize(buf.len() * 2, 0);
        }
        let n = match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(StreamError::Read(e)),
        };
        let scan_from = filled;
        filled += n;
        let mut start = 0;
        for at in memchr::memchr_iter(b'\n', &buf[scan_from..filled]) {
            let end = scan_from + at;
            selector.row(&buf[start..end]);
            start = end + 1;
        }
        buf.copy_within(start..filled, 0);
        filled -= start;
    }
    // n6's `split('\n')`: what follows the last newline is a row too (maybe empty).
    selector.row(&buf[..filled]);
    drop(buf);
    selector.finish(options)
}

/// How many chunks the reading thread of [`select_fresh_rows_read_ahead`] may be ahead.
const READ_AHEAD: usize = 3;

/// [`select_fresh_rows_streaming`] with the reading on a thread of its own: while this
/// thread selects the rows of one chunk, the other reads the next ones (the kernel's
/// copy out of the page cache, or the HTTP transfer), at most [`READ_AHEAD`] chunks of
/// [`CHUNK_SIZE`] ahead. The same results, on two cores in about the time of the
/// slower of the two.
pub fn select_fresh_rows_read_ahead<R: Read + Send, T: RowTime + ?Sized>(
    reader: R,
    size_hint: Option<u64>,
    state: &RowsState,
    row_time: &T,
    options: RowsOptions,
) -> Result<StreamedSelection, StreamError> {
    read_ahead(reader, CHUNK_SIZE, size_hint, state, row_time, options)
}

/// [`select_fresh_rows_read_ahead`] in chunks of `chunk_size`.
fn read_ahead<R: Read + Send, T: RowTime + ?Sized>(
    reader: R,
    chunk_size: usize,
    size_hint: Option<u64>,
    state: &RowsState,
    row_time: &T,
    options: RowsOptions,
) -> Result<StreamedSelection, StreamError> {
    use std::sync::mpsc;
    let (full_tx, full) = mpsc::sync_channel::<io::Result<Chunk>>(READ_AHEAD);
    let (free, free_rx) = mpsc::channel::<Vec<u8>>();
    // The channels' ends move into the scope: should the selection unwind (a `RowTime`
    // that panics), they are dropped before the scope waits for the reader, which then
    // stops at its next send or receive instead of waiting forever.
    std::thread::scope(move |scope| {
        std::thread::Builder::new()
            .name("n6-feed-reader".into())
            .spawn_scoped(scope, move || {
                read_chunks(reader, chunk_size, &full_tx, &free_rx)
            })
            .map_err(StreamError::Read)?;
        let mut selector = Selector::new(state, row_time, size_hint);
        // The start of a row that began in an earlier chunk.
        let mut carry: Vec<u8> = Vec::new();
        for chunk in &full {
            let chunk = chunk.map_err(StreamError::Read)?;
            let data = &chunk.buf[..chunk.len];
            let mut start = 0;
            for at in memchr::memchr_iter(b'\n', data) {
                if carry.is_empty() {
                    selector.row(&data[start..at]);
                } else {
                    carry.extend_from_slice(&data[start..at]);
                    selector.row(&carry);
                    carry.clear();
                }
                start = at + 1;
            }
            carry.extend_from_slice(&data[start..]);
            // The reader may be gone (it stops at the end of the feed).
            let _ = free.send(chunk.buf);
        }
        // n6's `split('\n')`: what follows the last newline is a row too (maybe empty).
        selector.row(&carry);
        selector.finish(options)
    })
}

/// A buffer of the feed, `buf[..len]` read.
struct Chunk {
    buf: Vec<u8>,
    len: usize,
}

/// The reading thread of [`select_fresh_rows_read_ahead`]: fills buffers (new ones until
/// [`READ_AHEAD`] + 1 exist, then those given back) and sends them, until the end of the
/// feed, an error (sent too), or the selecting side is gone.
fn read_chunks<R: Read>(
    mut reader: R,
    chunk_size: usize,
    full: &std::sync::mpsc::SyncSender<io::Result<Chunk>>,
    free: &std::sync::mpsc::Receiver<Vec<u8>>,
) {
    let mut made = 0;
    loop {
        let mut buf = match free.try_recv() {
            Ok(buf) => buf,
            Err(_) if made <= READ_AHEAD => {
                made += 1;
                vec![0u8; chunk_size.max(1)]
            }
            Err(_) => match free.recv() {
                Ok(buf) => buf,
                Err(_) => return,
            },
        };
        let mut len = 0;
        // Fill at least half the buffer (an HTTP body comes in small pieces).
        let enough = buf.len().div_ceil(2);
        while len < enough {
            match reader.read(&mut buf[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = full.send(Err(e));
                    return;
                }
            }
        }
        if len == 0 {
            return;
        }
        if full.send(Ok(Chunk { buf, len })).is_err() {
            return;
        }
    }
}

/// The selection's running state.
struct Selector<'s, T: ?Sized> {
    state: &'s RowsState,
    row_time: &'s T,
    newest: Option<(String, Vec<Row>)>,
    count: u64,
    fresh: FreshBuffer,
    /// The time of the most recent candidate.
    last_time: Vec<u8>,
    descending: bool,
    /// The current run of candidates with equal times (offsets from the buffer's end),
    /// checked for duplicates when it ends (only while the feed is newest first).
    group: Vec<(usize, usize)>,
    duplicates: bool,
}

impl<'s, T: RowTime + ?Sized> Selector<'s, T> {
    fn new(state: &'s RowsState, row_time: &'s T, size_hint: Option<u64>) -> Self {
        Selector {
            state,
            row_time,
            newest: None,
            count: 0,
            fresh: FreshBuffer::new(size_hint),
            last_time: Vec::new(),
            descending: true,
            group: Vec::new(),
            duplicates: false,
        }
    }

    /// One row of the feed: n6's loop body of `get_fresh_rows_only`.
    #[inline]
    fn row(&mut self, row: &[u8]) {
        let Some(time) = self.row_time.extract_row_time(row) else {
            return;
        };
        let time = time.as_bytes();
        self.count += 1;
        let prev_time = self.state.newest_row_time.as_bytes();
        if !prev_time.is_empty() && cmp_times(time, prev_time) == Ordering::Less {
            return;
        }
        self.note_newest(time, row);
        let prev_rows = &self.state.newest_rows;
        if !prev_rows.is_empty() && prev_rows.contains(row) {
            return;
        }
        let at = self.fresh.push(row);
        if self.fresh.rows > 1 && self.descending {
            match cmp_times(time, &self.last_time) {
                Ordering::Greater => {
                    self.descending = false;
                    self.group = Vec::new();
                }
                Ordering::Equal => self.group.push((at, row.len())),
                Ordering::Less => {
                    self.close_group();
                    self.group.push((at, row.len()));
                }
            }
        } else if self.descending {
            self.group.push((at, row.len()));
        }
        self.last_time.clear();
        self.last_time.extend_from_slice(time);
    }

    fn note_newest(&mut self, time: &[u8], row: &[u8]) {
        match &mut self.newest {
            Some((newest_time, newest_rows)) => match cmp_times(time, newest_time.as_bytes()) {
                Ordering::Greater => {
                    newest_time.clear();
                    newest_time.push_str(utf8_time(time));
                    newest_rows.clear();
                    newest_rows.push(Row::from(row));
                }
                Ordering::Equal => newest_rows.push(Row::from(row)),
                Ordering::Less => {}
            },
            None => self.newest = Some((utf8_time(time).to_owned(), vec![Row::from(row)])),
        }
    }

    /// Checks the run of equal times that just ended for duplicates.
    fn close_group(&mut self) {
        if self.group.len() > 1 && !self.duplicates {
            let mut rows: Vec<&[u8]> = self
                .group
                .iter()
                .map(|&(at, len)| self.fresh.row_at(at, len))
                .collect();
            rows.sort_unstable();
            self.duplicates = rows.windows(2).any(|w| w[0] == w[1]);
        }
        self.group.clear();
    }

    fn finish(mut self, options: RowsOptions) -> Result<StreamedSelection, StreamError> {
        let n_fresh = self.fresh.rows;
        let (body, duplicates) = if self.descending {
            self.close_group();
            (self.fresh.into_body(), self.duplicates)
        } else {
            // n6's order: the reversed candidates (the buffer's order), stably sorted by
            // time; the times are taken again from the kept rows.
            let fresh = self.fresh.into_body();
            let mut rows: Vec<(&[u8], TimeText<'_>)> = split_rows(&fresh)
                .take(n_fresh)
                .map(|row| {
                    let time = self.row_time.extract_row_time(row).unwrap_or_default();
                    (row, time)
                })
                .collect();
            rows.sort_by(|a, b| cmp_times(a.1.as_bytes(), b.1.as_bytes()));
            let duplicates = has_duplicates(&rows);
            let body = join_rows(rows.iter().map(|(row, _)| *row));
            (body, duplicates)
        };
        let problems = count_problems(
            duplicates,
            n_fresh as u64,
            self.state.rows_count,
            self.count,
            options.count_check,
        );
        let newest_view = self.newest.as_ref().map(|(time, rows)| {
            (
                TimeText::from(time.as_str()),
                rows.iter().map(Row::as_bytes).collect::<Vec<_>>(),
            )
        });
        let inconsistency = check_invariant(n_fresh > 0, newest_view.as_ref(), self.state);
        let warning = match problems {
            Some(message) if options.mismatch_is_fatal => {
                return Err(StreamError::Count(CountMismatch(message)));
            }
            other => other,
        };
        Ok(StreamedSelection {
            body,
            fresh: n_fresh,
            rows_count: self.count,
            newest: self.newest,
            warning,
            inconsistency,
        })
    }
}

/// A row time as text: times come from [`RowTime::extract_row_time`], which gives `str`.
fn utf8_time(time: &[u8]) -> &str {
    std::str::from_utf8(time).unwrap_or_default()
}

/// The fresh rows, each followed by `\n`, written backwards from the end of one buffer:
/// the first row that came is last. Rows are found by their offset from the end, which
/// stays valid when the buffer grows.
struct FreshBuffer {
    buf: Vec<u8>,
    /// Where the written part starts; `buf[start..]` is written.
    start: usize,
    rows: usize,
}

impl FreshBuffer {
    fn new(size_hint: Option<u64>) -> Self {
        // Rows and their newlines are never longer than the feed plus one newline.
        let capacity = size_hint
            .and_then(|n| usize::try_from(n.saturating_add(1)).ok())
            .unwrap_or(CHUNK_SIZE);
        FreshBuffer {
            // Zeroed memory comes from the kernel untouched: only written pages count.
            buf: vec![0u8; capacity],
            start: capacity,
            rows: 0,
        }
    }

    /// Writes `row` (and its newline) before the rows already written; returns its
    /// offset from the buffer's end.
    #[inline]
    fn push(&mut self, row: &[u8]) -> usize {
        let need = row.len() + 1;
        if self.start < need {
            self.grow(need);
        }
        self.start -= 1;
        self.buf[self.start] = b'\n';
        self.start -= row.len();
        self.buf[self.start..self.start + row.len()].copy_from_slice(row);
        self.rows += 1;
        self.buf.len() - self.start
    }

    fn row_at(&self, from_end: usize, len: usize) -> &[u8] {
        let at = self.buf.len() - from_end;
        &self.buf[at..at + len]
    }

    fn grow(&mut self, need: usize) {
        let used = self.buf.len() - self.start;
        let capacity = (self.buf.len() * 2).max(used + need).max(CHUNK_SIZE);
        let mut bigger = vec![0u8; capacity];
        bigger[capacity - used..].copy_from_slice(&self.buf[self.start..]);
        self.buf = bigger;
        self.start = capacity - used;
    }

    /// The rows joined with `\n` (no trailing newline), moved to the buffer's front.
    fn into_body(mut self) -> Vec<u8> {
        let end = self.buf.len().saturating_sub(1);
        if self.rows == 0 || self.start >= end {
            return Vec::new();
        }
        let len = end - self.start;
        if self.start > len {
            // Few rows in a big buffer: a copy of its own is smaller.
            return self.buf[self.start..end].to_vec();
        }
        self.buf.copy_within(self.start..end, 0);
        self.buf.truncate(len);
        self.buf.shrink_to_fit();
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::rows::{CountCheck, CsvColumn, select_fresh_rows};

    /// A reader that hands out at most `step` bytes per read (chunk boundaries anywhere).
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    const TIME: CsvColumn = CsvColumn {
        column: 1,
        delimiter: b',',
    };

    /// The streamed selection agrees with the in-memory one on everything observable.
    fn same_as_in_memory(feed: &[u8], state: &RowsState, options: RowsOptions) {
        let expected = select_fresh_rows(feed, state, &TIME, options);
        for step in [1, 3, 7, feed.len().max(1)] {
            for hint in [None, Some(feed.len() as u64), Some(2)] {
                let reader = Trickle { data: feed, step };
                let streamed = select_fresh_rows_streaming(reader, hint, state, &TIME, options);
                let reader = Trickle { data: feed, step };
                // Chunks of `step` bytes; a long feed in fewer, larger ones.
                let chunk = if feed.len() > 1 << 16 {
                    step << 12
                } else {
                    step
                };
                let read_ahead = read_ahead(reader, chunk, hint, state, &TIME, options);
                for got in [streamed, read_ahead] {
                    match (&expected, got) {
                        (Ok(want), Ok(got)) => {
                            assert_eq!(got.body(), &want.body()[..], "{feed:?} step {step}");
                            assert_eq!(got.len(), want.len());
                            assert_eq!(
                                got.fresh_rows().collect::<Vec<_>>(),
                                want.fresh_rows().collect::<Vec<_>>()
                            );
                            assert_eq!(got.rows_count, want.rows_count);
                            assert_eq!(got.new_state(), want.new_state());
                            assert_eq!(got.warning, want.warning, "{feed:?}");
                            assert_eq!(got.inconsistency, want.inconsistency);
                        }
                        (Err(want), Err(StreamError::Count(got))) => assert_eq!(&got, want),
                        (want, got) => panic!("{feed:?}: {want:?} vs {got:?}"),
                    }
                }
            }
        }
    }

    fn state(time: &str, rows: &[&str], count: Option<u64>) -> RowsState {
        RowsState {
            newest_row_time: time.to_owned(),
            newest_rows: rows.iter().map(|r| Row::from(*r)).collect(),
            rows_count: count,
        }
    }

    #[test]
    fn streamed_selection_equals_the_in_memory_one() {
        let feeds: [&[u8]; 10] = [
            b"",
            b"\n",
            b"# c\n5,t5\n4,t4\r\n3,t3\n2,t2\n1,t1\n",
            b"\xef\xbb\xbf5,t5\n4,t4\n3,t3",
            b"3,t3\n3,t3\n2,t2\n1,t1\n",
            b"1,t1\n2,t2\n3,t3\n2,t2\n",
            b"4,t4\n3,t3\n4,t4\n3,t3\n",
            b"x,t3\ny,t3\nz,t3\nx,t3\n",
            b"a\nb,\n,t2\n\xff\xfe,t1\n",
            b"5,t5\n5b,t5\n4,t4\n3,t3\n3b,t3\n2,t2\n",
        ];
        let states = [
            RowsState::default(),
            state("t3", &["3,t3"], Some(3)),
            state("t3", &["3,t3", "3b,t3"], Some(1)),
            state("t4", &["4,t4"], None),
            state("t9", &[], Some(0)),
        ];
        for feed in feeds {
            for state in &states {
                for fatal in [false, true] {
                    for count_check in [CountCheck::Full, CountCheck::DuplicatesOnly] {
                        let options = RowsOptions {
                            mismatch_is_fatal: fatal,
                            count_check,
                        };
                        same_as_in_memory(feed, state, options);
                    }
                }
            }
        }
    }

    #[test]
    fn a_row_longer_than_a_chunk_is_one_row() {
        let long = format!("{},t2", "x".repeat(CHUNK_SIZE * 2 + 5));
        let feed = format!("{long}\n1,t1\n");
        same_as_in_memory(
            feed.as_bytes(),
            &RowsState::default(),
            RowsOptions::default(),
        );
    }

    #[test]
    fn a_read_error_is_returned() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("cut"))
            }
        }
        let got = select_fresh_rows_streaming(
            Broken,
            None,
            &RowsState::default(),
            &TIME,
            RowsOptions::default(),
        );
        assert!(matches!(got, Err(StreamError::Read(e)) if e.to_string() == "cut"));
        let got = select_fresh_rows_read_ahead(
            Broken,
            None,
            &RowsState::default(),
            &TIME,
            RowsOptions::default(),
        );
        assert!(matches!(got, Err(StreamError::Read(e)) if e.to_string() == "cut"));
    }

    #[test]
    fn a_row_time_that_panics_unwinds_and_the_reader_stops() {
        struct Panics;
        impl RowTime for Panics {
            fn pick_raw_row_time<'r>(&self, _: &'r [u8]) -> Option<std::borrow::Cow<'r, [u8]>> {
                panic!("row time");
            }
        }
        // Far more chunks than the reader may be ahead: it is waiting to send when the
        // selection unwinds, and must notice that the selecting side is gone.
        let feed = "2020-01-01 00:00:00,x\n".repeat(1000);
        let got = std::panic::catch_unwind(|| {
            read_ahead(
                feed.as_bytes(),
                16,
                None,
                &RowsState::default(),
                &Panics,
                RowsOptions::default(),
            )
        });
        assert!(got.is_err(), "the panic reaches the caller");
    }
}
