//! n6's `get_fresh_rows_only` (`n6datasources.collectors.base.BaseTimeOrderedRowsCollector.get_fresh_rows_only`), exactly, on byte slices.
//!
//! Rows are borrowed from the feed; only rows that are fresh or have the newest time are
//! remembered; a row time is a [`TimeText`], borrowed from the row or made inline.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use super::row::Row;
use super::state::RowsState;
use super::text::TimeText;
use super::time::RowTime;

/// Which count checks run after the selection (n6's `_generate_count_mismatch_problems`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CountCheck {
    /// Duplicates among the fresh rows, and the total count against the previous run's.
    #[default]
    Full,
    /// Only the duplicate check (cert.pl: the source covers a sliding window).
    DuplicatesOnly,
}

/// How the selection treats count problems.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowsOptions {
    /// `row_count_mismatch_is_fatal`: a problem fails the run instead of being a warning.
    pub mismatch_is_fatal: bool,
    /// Which checks run.
    pub count_check: CountCheck,
}

impl RowsOptions {
    /// n6's behaviour with `row_count_mismatch_is_fatal` as given: all checks.
    pub fn new(mismatch_is_fatal: bool) -> Self {
        RowsOptions {
            mismatch_is_fatal,
            count_check: CountCheck::Full,
        }
    }
}

/// A count problem with `row_count_mismatch_is_fatal = yes`: nothing is published and
/// the state is kept (n6 raises `ValueError` with the same message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CountMismatch(pub String);

/// The result of one selection: the fresh rows (borrowed from the feed) and what the
/// state becomes when they are published.
#[derive(Debug)]
pub struct Selection<'a> {
    /// The fresh rows with their times, oldest first (n6's output order), duplicates kept.
    fresh: Vec<(&'a [u8], TimeText<'a>)>,
    /// Usable rows in the feed (old and new).
    pub rows_count: u64,
    /// The newest time in the feed at or after the previous newest time, with its rows.
    newest: Option<(TimeText<'a>, Vec<&'a [u8]>)>,
    /// The count problems, as n6's one WARNING message (when not fatal).
    pub warning: Option<String>,
    /// n6's internal assertion failed (it aborts with `AssertionError`; here it is a
    /// warning): previously newest rows vanished from the source while nothing new came.
    pub inconsistency: Option<String>,
}

impl<'a> Selection<'a> {
    /// True when there is nothing to publish (n6: no connection, state untouched).
    pub fn is_empty(&self) -> bool {
        self.fresh.is_empty()
    }

    /// How many fresh rows there are.
    pub fn len(&self) -> usize {
        self.fresh.len()
    }

    /// The fresh rows, oldest first (n6's output order), duplicates kept.
    pub fn fresh_rows(&self) -> impl ExactSizeIterator<Item = &'a [u8]> + Clone + '_ {
        self.fresh.iter().map(|(row, _)| *row)
    }

    /// The fresh rows with their (cleaned) times, oldest first.
    pub fn fresh_rows_with_times(&self) -> impl ExactSizeIterator<Item = (&'a [u8], &str)> + '_ {
        self.fresh.iter().map(|(row, time)| (*row, time.as_ref()))
    }

    /// n6's message body: the fresh rows joined with `\n`, no trailing newline.
    pub fn body(&self) -> Vec<u8> {
        join_rows(self.fresh_rows())
    }

    /// The state after publishing the fresh rows; `None` when there are none (n6 then
    /// leaves the state as it was, `rows_count` included).
    pub fn new_state(&self) -> Option<RowsState> {
        if self.fresh.is_empty() {
            return None;
        }
        let (time, rows) = self.newest.as_ref()?;
        Some(RowsState {
            newest_row_time: time.clone().into_owned(),
            newest_rows: rows.iter().map(|r| Row::from(*r)).collect(),
            rows_count: Some(self.rows_count),
        })
    }
}

/// Rows joined with `\n` (no trailing newline).
pub fn join_rows<'r>(rows: impl Iterator<Item = &'r [u8]> + Clone) -> Vec<u8> {
    let len = rows.clone().map(|r| r.len() + 1).sum::<usize>();
    let mut out = Vec::with_capacity(len);
    for (i, row) in rows.enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(row);
    }
    out
}

/// n6's `split_orig`: split on `\n` only (a `\r` stays at the end of its row; a trailing
/// `\n` gives a final empty row; empty input gives one empty row).
pub fn split_rows(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let mut ends = memchr::memchr_iter(b'\n', data);
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match ends.next() {
            Some(end) => {
                let row = &data[start..end];
                start = end + 1;
                Some(row)
            }
            None => {
                done = true;
                Some(&data[start..])
            }
        }
    })
}

/// n6's `get_fresh_rows_only` + `check_counts` over the rows of `data`.
///
/// Returns the selection (with the count warning, if any), or [`CountMismatch`] when
/// there are count problems and `options.mismatch_is_fatal` is set.
pub fn select_fresh_rows<'a, T: RowTime + ?Sized>(
    data: &'a [u8],
    state: &RowsState,
    row_time: &T,
    options: RowsOptions,
) -> Result<Selection<'a>, CountMismatch> {
    select_from_rows(split_rows(data), state, row_time, options)
}

/// [`select_fresh_rows`] over rows already split.
pub fn select_from_rows<'a, T: RowTime + ?Sized>(
    rows: impl IntoIterator<Item = &'a [u8]>,
    state: &RowsState,
    row_time: &T,
    options: RowsOptions,
) -> Result<Selection<'a>, CountMismatch> {
    let prev_time = state.newest_row_time.as_bytes();
    let prev_rows = &state.newest_rows;
    let mut newest: Option<(TimeText<'a>, Vec<&'a [u8]>)> = None;
    let mut count: u64 = 0;
    let mut candidates: Vec<(&'a [u8], TimeText<'a>)> = Vec::new();
    let (mut descending, mut ties) = (true, false);

    for row in rows {
        let Some(time) = row_time.extract_row_time(row) else {
            continue;
        };
        count += 1;
        if !prev_time.is_empty() && cmp_times(time.as_bytes(), prev_time) == Ordering::Less {
            continue;
        }
        match &mut newest {
            Some((newest_time, newest_rows)) => {
                match cmp_times(time.as_bytes(), newest_time.as_bytes()) {
                    std::cmp::Ordering::Greater => {
                        *newest_time = time.clone();
                        newest_rows.clear();
                        newest_rows.push(row);
                    }
                    std::cmp::Ordering::Equal => newest_rows.push(row),
                    std::cmp::Ordering::Less => {}
                }
            }
            None => newest = Some((time.clone(), vec![row])),
        }
        if !prev_rows.is_empty() && prev_rows.contains(row) {
            continue;
        }
        // Feeds usually list newest first: then the reversed candidates are already in
        // order, and without equal times there can be no duplicates. Checked here, while
        // the rows are in the cache.
        if let Some((_, last)) = candidates.last() {
            match cmp_times(time.as_bytes(), last.as_bytes()) {
                Ordering::Greater => descending = false,
                Ordering::Equal => ties = true,
                Ordering::Less => {}
            }
        }
        candidates.push((row, time));
    }

    candidates.reverse();
    if !descending {
        candidates.sort_by(|a, b| cmp_times(a.1.as_bytes(), b.1.as_bytes()));
    }
    let may_have_duplicates = !descending || ties;

    let problems = count_problems(
        may_have_duplicates && has_duplicates(&candidates),
        candidates.len() as u64,
        state.rows_count,
        count,
        options.count_check,
    );
    let fresh = candidates;
    let inconsistency = check_invariant(!fresh.is_empty(), newest.as_ref(), state);
    let warning = match problems {
        Some(message) if options.mismatch_is_fatal => return Err(CountMismatch(message)),
        other => other,
    };
    Ok(Selection {
        fresh,
        rows_count: count,
        newest,
        warning,
        inconsistency,
    })
}

const MISMATCH_TEXT: &str = "The currently stated count of all rows ({count}) is not equal to the sum of the count stated by the previous run of the collector ({prev}) and the count of the currently collected fresh rows ({fresh}). It means that we are faced with at least one of the following cases:\n* the data provided by the external source has changed in such a way that the expected count of the rows which should have already been collected (according to the current data from the external source) is different than the actual count of the already collected rows (by the previous runs of the collector), or\n* some of the fresh rows duplicate some of the rows collected earlier.";

/// n6's `check_counts` problems, joined as n6 joins them; `None` when there are none.
/// `duplicates`: whether the fresh rows hold duplicates; `n_fresh`: how many there are.
pub(super) fn count_problems(
    duplicates: bool,
    n_fresh: u64,
    prev_count: Option<u64>,
    count: u64,
    check: CountCheck,
) -> Option<String> {
    let mut problems = Vec::new();
    if duplicates {
        problems.push("Found duplicates among the fresh rows.".to_owned());
    }
    if check == CountCheck::Full
        && let Some(prev) = prev_count
        && count != prev.saturating_add(n_fresh)
    {
        problems.push(
            MISMATCH_TEXT
                .replace("{count}", &count.to_string())
                .replace("{prev}", &prev.to_string())
                .replace("{fresh}", &n_fresh.to_string()),
        );
    }
    (!problems.is_empty()).then(|| problems.join("\n\nThe following problem also occurred:\n\n"))
}

/// Equal rows have equal times, so after sorting by time duplicates sit in the same
/// run of equal times; only runs longer than one row need a closer look.
pub(super) fn has_duplicates(sorted: &[(&[u8], TimeText<'_>)]) -> bool {
    let mut start = 0;
    while start < sorted.len() {
        let time = sorted[start].1.as_bytes();
        let mut end = start + 1;
        while end < sorted.len() && sorted[end].1.as_bytes() == time {
            end += 1;
        }
        if end - start > 1 {
            let mut group: Vec<&[u8]> = sorted[start..end].iter().map(|(r, _)| *r).collect();
            group.sort_unstable();
            if group.windows(2).any(|w| w[0] == w[1]) {
                return true;
            }
        }
        start = end;
    }
    false
}

/// n6's assertion after the selection; a description of the violation, if any.
pub(super) fn check_invariant(
    has_fresh: bool,
    newest: Option<&(TimeText<'_>, Vec<&[u8]>)>,
    state: &RowsState,
) -> Option<String> {
    let prev = &state.newest_rows;
    let ok = if has_fresh {
        newest.is_some_and(|(_, rows)| rows.iter().any(|r| !prev.contains(*r)))
    } else {
        match newest {
            None => true,
            Some((time, rows)) => {
                let rows: BTreeSet<&[u8]> = rows.iter().copied().collect();
                time.as_bytes() == state.newest_row_time.as_bytes()
                    && rows.len() == prev.len()
                    && prev.iter().all(|r| rows.contains(r.as_bytes()))
            }
        }
    };
    (!ok).then(|| {
        format!(
            "the source no longer lists all the rows that were the newest ones ({}, time {:?}) when this collector last collected, and nothing newer appeared; n6 would abort here (AssertionError), this run continues",
            prev.len(),
            state.newest_row_time
        )
    })
}

/// Byte-wise order of two times (= `[u8]`'s), 16 bytes at a time as big-endian
/// integers: times are short, and this avoids a `memcmp` call per comparison.
#[inline]
pub(super) fn cmp_times(a: &[u8], b: &[u8]) -> Ordering {
    let mut i = 0;
    loop {
        let (x, y) = (chunk16(a, i), chunk16(b, i));
        if x != y {
            return x.cmp(&y);
        }
        i += 16;
        if i >= a.len() && i >= b.len() {
            // Equal up to zero padding: the shorter one is a prefix of the longer one.
            return a.len().cmp(&b.len());
        }
    }
}

/// Bytes `at..at + 16` of `s` as a big-endian integer, zero-padded past the end.
#[inline]
fn chunk16(s: &[u8], at: usize) -> u128 {
    let rest = s.get(at..).unwrap_or_default();
    if let Some(chunk) = rest.first_chunk::<16>() {
        return u128::from_be_bytes(*chunk);
    }
    let mut buf = [0u8; 16];
    for (slot, byte) in buf.iter_mut().zip(rest) {
        *slot = *byte;
    }
    u128::from_be_bytes(buf)
}
