//! [`TimeText`]: a row's cleaned time as text, without a heap allocation for the forms
//! n6's collectors produce.
//!
//! A row time is either a slice of the row (the usual case: the feed already holds the
//! canonical form) or a short string made from it (`2020-06-03T14:00:00+02:00` becomes
//! `2020-06-03 12:00:00`). The second is kept in a small buffer inside the value, so
//! selecting a million rows allocates nothing per row; only a time longer than
//! [`TimeText::INLINE`] bytes (no ISO date-time is) goes to the heap.

use std::borrow::{Borrow, Cow};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// A row's time as text: borrowed from the row, held inline, or (when long) owned.
/// Derefs to `str`; compares, orders and hashes as its text.
///
/// Build one with `From` (`&str`, `String`, `Cow<str>`) or [`TimeText::copied`]:
///
/// ```
/// use n6_collectors::helpers::rows::TimeText;
///
/// let row = "5,2024-01-02 03:04:05";
/// let borrowed = TimeText::from(&row[2..]);
/// let made = TimeText::copied("2024-01-02 03:04:05");
/// assert_eq!(borrowed, made);
/// assert_eq!(&*made, "2024-01-02 03:04:05");
/// assert!(made.is_inline());
/// ```
#[derive(Clone)]
pub struct TimeText<'r>(Repr<'r>);

#[derive(Clone)]
enum Repr<'r> {
    Borrowed(&'r str),
    Inline {
        len: u8,
        buf: [u8; TimeText::INLINE],
    },
    Owned(Box<str>),
}

impl<'r> TimeText<'r> {
    /// How many bytes a time may have to be held inline (`YYYY-MM-DD HH:MM:SS.ffffff`
    /// is 26).
    pub const INLINE: usize = 38;

    /// A copy of `text`: inline when it fits, else on the heap.
    pub fn copied(text: &str) -> TimeText<'r> {
        let mut buf = [0u8; TimeText::INLINE];
        match buf.get_mut(..text.len()) {
            Some(slot) => {
                slot.copy_from_slice(text.as_bytes());
                TimeText(Repr::Inline {
                    // `text.len() <= INLINE < 256`.
                    len: text.len() as u8,
                    buf,
                })
            }
            None => TimeText(Repr::Owned(text.into())),
        }
    }

    /// Builds a time inline by writing it with `write` (e.g. `write!(w, ...)`); falls
    /// back to the heap when the text is longer than [`TimeText::INLINE`].
    pub fn format(write: impl FnOnce(&mut dyn fmt::Write) -> fmt::Result) -> TimeText<'r> {
        let mut writer = InlineWriter {
            buf: [0u8; TimeText::INLINE],
            len: 0,
            spill: None,
        };
        // Writing into memory cannot fail; a failing `Display` leaves what it wrote.
        let _ = write(&mut writer);
        match writer.spill {
            Some(text) => TimeText(Repr::Owned(text.into_boxed_str())),
            None => TimeText(Repr::Inline {
                len: writer.len as u8,
                buf: writer.buf,
            }),
        }
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Borrowed(text) => text,
            // Only whole `str`s are ever written into `buf` (`copied`, `InlineWriter`).
            Repr::Inline { len, buf } => {
                std::str::from_utf8(&buf[..usize::from(*len)]).unwrap_or_default()
            }
            Repr::Owned(text) => text,
        }
    }

    /// True when the text is a slice of the row (nothing was copied).
    pub fn is_borrowed(&self) -> bool {
        matches!(self.0, Repr::Borrowed(_))
    }

    /// True when the text is held in the value's own buffer.
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }

    /// The text as a `String`.
    pub fn into_owned(self) -> String {
        match self.0 {
            Repr::Owned(text) => text.into_string(),
            _ => self.as_str().to_owned(),
        }
    }
}

/// Collects written text inline until it no longer fits, then in a `String`.
struct InlineWriter {
    buf: [u8; TimeText::INLINE],
    len: usize,
    spill: Option<String>,
}

impl fmt::Write for InlineWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if let Some(spill) = &mut self.spill {
            spill.push_str(s);
            return Ok(());
        }
        match self.buf.get_mut(self.len..self.len + s.len()) {
            Some(slot) => {
                slot.copy_from_slice(s.as_bytes());
                self.len += s.len();
            }
            None => {
                let mut spill = String::with_capacity(self.len + s.len());
                spill.push_str(std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default());
                spill.push_str(s);
                self.spill = Some(spill);
            }
        }
        Ok(())
    }
}

impl Default for TimeText<'_> {
    /// The empty text.
    fn default() -> Self {
        TimeText(Repr::Borrowed(""))
    }
}

impl Deref for TimeText<'_> {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for TimeText<'_> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for TimeText<'_> {
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

impl Borrow<str> for TimeText<'_> {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl<'r> From<&'r str> for TimeText<'r> {
    fn from(text: &'r str) -> Self {
        TimeText(Repr::Borrowed(text))
    }
}

impl From<String> for TimeText<'_> {
    /// Keeps the `String`'s allocation (no copy).
    fn from(text: String) -> Self {
        TimeText(Repr::Owned(text.into_boxed_str()))
    }
}

impl<'r> From<Cow<'r, str>> for TimeText<'r> {
    fn from(text: Cow<'r, str>) -> Self {
        match text {
            Cow::Borrowed(text) => TimeText::from(text),
            Cow::Owned(text) => TimeText::from(text),
        }
    }
}

impl From<TimeText<'_>> for String {
    fn from(text: TimeText<'_>) -> Self {
        text.into_owned()
    }
}

impl fmt::Debug for TimeText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for TimeText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for TimeText<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for TimeText<'_> {}

impl PartialEq<str> for TimeText<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for TimeText<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialOrd for TimeText<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TimeText<'_> {
    /// Byte-wise, as Python orders `str`s of UTF-8 text.
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for TimeText<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_is_its_text() {
        let long = "x".repeat(TimeText::INLINE + 1);
        let exact = "y".repeat(TimeText::INLINE);
        let forms = [
            (TimeText::from("a"), "a", true, false),
            (TimeText::copied("żółw"), "żółw", false, true),
            (TimeText::copied(&exact), &exact[..], false, true),
            (TimeText::copied(&long), &long[..], false, false),
            (TimeText::from(String::from("s")), "s", false, false),
            (TimeText::default(), "", true, false),
        ];
        for (text, expected, borrowed, inline) in forms {
            assert_eq!(text.as_str(), expected);
            assert_eq!(&*text, expected);
            assert_eq!(text.is_borrowed(), borrowed, "{expected}");
            assert_eq!(text.is_inline(), inline, "{expected}");
            assert_eq!(text.clone().into_owned(), expected);
        }
    }

    #[test]
    fn formatted_text_spills_to_the_heap_only_when_long() {
        let short = TimeText::format(|w| write!(w, "{:04}-{:02}", 2024, 1));
        assert_eq!(short, TimeText::from("2024-01"));
        assert!(short.is_inline());
        let long = TimeText::format(|w| {
            w.write_str(&"a".repeat(30))?;
            w.write_str(&"b".repeat(30))
        });
        assert_eq!(
            long.as_str(),
            format!("{}{}", "a".repeat(30), "b".repeat(30))
        );
        assert!(!long.is_inline());
    }

    #[test]
    fn ordered_as_text() {
        let a = TimeText::copied("2024-01-01 00:00:00");
        let b = TimeText::from("2024-01-01 00:00:00.5");
        assert!(a < b);
        assert_eq!(a.cmp(&a.clone()), Ordering::Equal);
    }
}
