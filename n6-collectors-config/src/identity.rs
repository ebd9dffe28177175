//! Validation of a collector's identity on the wire (`n6datasources.collectors.base.BaseCollector._validate_source_type_related_attributes`): its source,
//! raw type, content type and raw-format version tag. The derive checks these at compile
//! time; the runtime uses the same rules.

use std::fmt;

/// The `type` property of a collector's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RawType {
    /// One message per event or item.
    Stream,
    /// A whole file (needs a content type).
    File,
    /// A complete blacklist (needs a content type).
    Blacklist,
}

impl RawType {
    /// All raw types, for messages.
    pub const ALL: [RawType; 3] = [RawType::Stream, RawType::File, RawType::Blacklist];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RawType::Stream => "stream",
            RawType::File => "file",
            RawType::Blacklist => "blacklist",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn from_name(name: &str) -> Option<RawType> {
        RawType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Whether messages of this type must carry a `content_type`.
    pub fn needs_content_type(self) -> bool {
        !matches!(self, RawType::Stream)
    }
}

impl fmt::Display for RawType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Maximum length of a source (n6's `SourceField`).
pub const MAX_SOURCE_LEN: usize = 32;

/// Checks a source (`provider.channel`) as n6's `SourceField` does: ASCII lower-case
/// letters, digits and `-`, exactly one `.` with both parts non-empty, then at most 32
/// characters. The error is n6's reason text.
pub fn validate_source(source: &str) -> Result<(), String> {
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let shape_ok = match source.split_once('.') {
        Some((provider, channel)) => part_ok(provider) && part_ok(channel),
        None => false,
    };
    if !shape_ok {
        return Err(format!("\"{source}\" is not a valid source specification"));
    }
    if source.chars().count() > MAX_SOURCE_LEN {
        return Err(format!(
            "Length of \"{source}\" is greater than {MAX_SOURCE_LEN}"
        ));
    }
    Ok(())
}

/// Checks a raw-format version tag: exactly `YYYYMM` (six ASCII digits, month 01-12).
pub fn validate_raw_format_version_tag(tag: &str) -> Result<(), String> {
    let month_ok = tag.len() == 6
        && tag.bytes().all(|b| b.is_ascii_digit())
        && matches!(tag[4..].parse::<u8>(), Ok(1..=12));
    if month_ok {
        Ok(())
    } else {
        Err(format!(
            "raw_format_version_tag {tag:?} is not of the form YYYYMM (e.g. \"202401\")"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_n6_accepts() {
        for s in [
            "x.y",
            "my-provider.my-channel",
            "quite-long-but-still-good.source",
            "with-l-e-g-a-l.chars-only",
            "abc-def.ghi-123",
            "-.-",
            "aaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbb",
        ] {
            assert_eq!(validate_source(s), Ok(()), "{s}");
        }
    }

    #[test]
    fn sources_n6_rejects_by_regex() {
        for s in [
            "",
            "no-dot",
            "to.many.dots",
            "UPPER.case",
            "with-i_l_l_e_g_a_l.chars",
            "ąś.x",
            "a.b\n",
            ".x",
            "x.",
        ] {
            assert_eq!(
                validate_source(s),
                Err(format!("\"{s}\" is not a valid source specification")),
                "{s:?}"
            );
        }
    }

    #[test]
    fn sources_n6_rejects_by_length() {
        for s in [
            "aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbb",
            "toooooooooooooooooooo-long.source",
        ] {
            assert_eq!(s.len(), 33);
            assert_eq!(
                validate_source(s),
                Err(format!("Length of \"{s}\" is greater than 32"))
            );
        }
    }

    #[test]
    fn version_tags() {
        assert!(validate_raw_format_version_tag("202110").is_ok());
        for bad in ["20211", "2021100", "202113", "202100", "2021-1", "abcdef"] {
            assert!(validate_raw_format_version_tag(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn raw_types() {
        assert_eq!(RawType::from_name("blacklist"), Some(RawType::Blacklist));
        assert_eq!(RawType::from_name("Stream"), None);
        assert!(RawType::File.needs_content_type());
        assert!(!RawType::Stream.needs_content_type());
    }
}
