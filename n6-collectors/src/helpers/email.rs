//! E-mail collectors: n6's `BaseSimpleEmailCollector` (`n6datasources.collectors.base`).
//!
//! The collector gets one raw RFC 5322 message on stdin (procmail / a mail filter pipes
//! it in). [`Email::from_stdin`] reads and parses it (with `mail-parser`); [`Email::meta`]
//! gives `headers.meta.mail_time` (the `Date` header as naive UTC `YYYY-MM-DD HH:MM:SS`)
//! and `headers.meta.mail_subject` (whitespace-normalised), each only when present;
//! [`Email::text`] returns the one text part of a content type.
//!
//! ```ignore
//! fn collect(&mut self, out: &mut Output<'_, Self::State>) -> Result<()> {
//!     let email = Email::from_stdin()?;
//!     let csv = email.text("text/csv")?;
//!     out.publish_with_meta(csv.as_bytes().to_vec(), email.meta())
//! }
//! ```

use mail_parser::{MessageParser, MimeHeaders, PartType};

use crate::error::{Error, Result};
use crate::helpers::rows::format_py_datetime;
use crate::message::{HeaderTable, HeaderValue};

/// One leaf part of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailPart {
    /// `type/subtype`, lower-case (`text/plain` when the part declares none).
    pub content_type: String,
    /// The decoded content (transfer encoding undone; text in UTF-8, every line ending
    /// — `\r\n`, `\r` or `\n` — as `\n`, as n6's `ParsedEmailMessage` gives text).
    pub data: Vec<u8>,
    /// True for `text/*` parts, whose `data` is UTF-8 text.
    pub is_text: bool,
}

/// A parsed e-mail message.
#[derive(Debug, Clone)]
pub struct Email {
    raw: Vec<u8>,
    subject: Option<String>,
    mail_time: Option<String>,
    parts: Vec<EmailPart>,
}

impl Email {
    /// Reads all of stdin and parses it.
    pub fn from_stdin() -> Result<Email> {
        // Through the run's recording, if any (`--record`, `--replay`).
        let raw = crate::record::read_stdin().map_err(|e| match e {
            crate::record::RecordError::Stdin { source } => Error::source_unavailable(format!(
                "cannot read the e-mail message from stdin: {source}"
            )),
            other => Error::from(other),
        })?;
        Email::parse(raw)
    }

    /// Parses a raw RFC 5322 message.
    pub fn parse(raw: Vec<u8>) -> Result<Email> {
        let message = MessageParser::default().parse(&raw).ok_or_else(|| {
            Error::bad_data("the input is not an e-mail message (no headers found)")
        })?;
        let subject = message.subject().map(normalize_whitespace);
        let mail_time = message.date().and_then(|d| {
            time::UtcDateTime::from_unix_timestamp(d.to_timestamp())
                .ok()
                .map(format_py_datetime)
        });
        let mut parts = Vec::new();
        for part in &message.parts {
            let (data, is_text) = match &part.body {
                PartType::Text(text) | PartType::Html(text) => {
                    (normalize_newlines(text).into_bytes(), true)
                }
                PartType::Binary(data) | PartType::InlineBinary(data) => (data.to_vec(), false),
                PartType::Message(_) | PartType::Multipart(_) => continue,
            };
            let content_type = match part.content_type() {
                Some(ct) => match &ct.c_subtype {
                    Some(sub) => format!("{}/{}", ct.c_type, sub),
                    None => ct.c_type.to_string(),
                }
                .to_ascii_lowercase(),
                None => "text/plain".to_owned(),
            };
            parts.push(EmailPart {
                content_type,
                data,
                is_text,
            });
        }
        drop(message);
        Ok(Email {
            raw,
            subject,
            mail_time,
            parts,
        })
    }

    /// The message as received.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The decoded `Subject`, stripped, with whitespace runs as single spaces.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The `Date` header as naive UTC, `YYYY-MM-DD HH:MM:SS`.
    pub fn mail_time(&self) -> Option<&str> {
        self.mail_time.as_deref()
    }

    /// The leaf parts (for a single-part message: the body).
    pub fn parts(&self) -> &[EmailPart] {
        &self.parts
    }

    /// `headers.meta`: `mail_time` and `mail_subject`, each only when present.
    pub fn meta(&self) -> HeaderTable {
        let mut meta = HeaderTable::default();
        if let Some(time) = &self.mail_time {
            meta.insert("mail_time", HeaderValue::Str(time.clone()));
        }
        if let Some(subject) = &self.subject {
            meta.insert("mail_subject", HeaderValue::Str(subject.clone()));
        }
        meta
    }

    /// The content of the one part of `content_type` (n6's `get_email_msg_text`);
    /// none or several such parts is [`Error::BadData`] with n6's message.
    pub fn text(&self, content_type: &str) -> Result<&str> {
        let wanted = content_type.to_ascii_lowercase();
        let mut found = self.parts.iter().filter(|p| p.content_type == wanted);
        let part = match (found.next(), found.next()) {
            (Some(part), None) => part,
            (Some(_), Some(_)) => {
                return Err(Error::bad_data(format!(
                    "unexpected e-mail message format: multiple `{content_type}` parts found"
                )));
            }
            (None, _) => {
                return Err(Error::bad_data(format!(
                    "unexpected e-mail message format: no `{content_type}` content found"
                )));
            }
        };
        std::str::from_utf8(&part.data)
            .map_err(|_| Error::bad_data(format!("the `{content_type}` part is not text")))
    }
}

impl Email {
    /// n6's `ParsedEmailMessage.find_content(content_type=..., content_regex=...,
    /// ignore_extra_matches=...)`: the one leaf part whose content type matches
    /// `content_type` (`*`, `text/*`, `text/plain`; case-insensitive) and, when given,
    /// whose text `content_regex` finds a match in (binary parts never match a text
    /// regex); None when no part matches. Several matching parts are
    /// [`Error::BadData`] unless `ignore_extra_matches` (then the first one counts).
    ///
    /// ```
    /// use n6_collectors::helpers::email::Email;
    /// use n6_collectors::helpers::pyre::PyRegex;
    ///
    /// let email = Email::parse(b"Subject: s\r\n\r\nGet it: https://dl.example/x.csv\r\n".to_vec())?;
    /// let url_re = PyRegex::config_option("item_url_pattern", r"(https?://\S+)", 1)?;
    /// let part = email.find_content("text/plain", Some(&url_re), true)?.expect("found");
    /// let body = std::str::from_utf8(&part.data).expect("text");
    /// assert_eq!(url_re.search(body).and_then(|m| m.group(1)), Some("https://dl.example/x.csv"));
    /// # Ok::<(), n6_collectors::Error>(())
    /// ```
    pub fn find_content(
        &self,
        content_type: &str,
        content_regex: Option<&crate::helpers::pyre::PyRegex>,
        ignore_extra_matches: bool,
    ) -> Result<Option<&EmailPart>> {
        let mut found = self.parts.iter().filter(|part| {
            content_type_matches(&part.content_type, content_type)
                && content_regex.is_none_or(|re| {
                    part.is_text
                        && std::str::from_utf8(&part.data).is_ok_and(|text| re.is_match(text))
                })
        });
        let first = found.next();
        if !ignore_extra_matches && first.is_some() && found.next().is_some() {
            return Err(Error::bad_data(format!(
                "multiple components of the message match the following criteria: \
                 content_type={}, content_regex={}",
                crate::config::pyliteral::py_ascii_repr(content_type),
                content_regex.map_or("None".to_owned(), |re| {
                    crate::config::pyliteral::py_ascii_repr(re.pattern())
                }),
            )));
        }
        Ok(first)
    }
}

/// n6's `__does_msg_content_type_match` for one alternative.
fn content_type_matches(part_type: &str, wanted: &str) -> bool {
    if matches!(wanted, "*" | "*/" | "*/*") {
        return true;
    }
    let wanted = wanted.to_ascii_lowercase();
    let (main, sub) = part_type.split_once('/').unwrap_or((part_type, ""));
    let (want_main, want_sub) = wanted.split_once('/').unwrap_or((wanted.as_str(), ""));
    want_main == main && (want_sub.is_empty() || want_sub == "*" || want_sub == sub)
}

/// Text content as n6's e-mail policy gives it (`n6lib.mail_parsing_helpers`:
/// `newline_normalizing_wrapper_of_raw_data_manager`, i.e.
/// `'\n'.join(splitlines_asc(text, append_empty_ending=True))`): every ASCII line
/// boundary (`\r\n`, `\r`, `\n`) becomes `\n`; other characters are kept.
fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Python's `" ".join(s.split())`.
fn normalize_whitespace(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTIPART: &str = "From: reports@example.org\r\n\
To: n6@example.com\r\n\
Subject: =?utf-8?q?Daily_report_=C5=BC?=\r\n  \t for   2024-01-02 \r\n\
Date: Tue, 02 Jan 2024 10:00:00 +0200\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\
\r\n\
--XYZ\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
See the attachment.\r\n\
--XYZ\r\n\
Content-Type: text/csv; charset=utf-8\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
aXAsdGltZQoxLjIuMy40LDIwMjQtMDEtMDIK\r\n\
--XYZ--\r\n";

    #[test]
    fn subject_time_and_parts() {
        let email = Email::parse(MULTIPART.as_bytes().to_vec()).expect("parse");
        assert_eq!(email.subject(), Some("Daily report ż for 2024-01-02"));
        assert_eq!(email.mail_time(), Some("2024-01-02 08:00:00"));
        assert_eq!(
            email.text("text/csv").expect("csv"),
            "ip,time\n1.2.3.4,2024-01-02\n"
        );
        assert_eq!(
            email.text("TEXT/PLAIN").expect("plain"),
            "See the attachment."
        );
        let meta = email.meta();
        let keys: Vec<&str> = meta.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, vec!["mail_time", "mail_subject"]);
        assert_eq!(email.raw(), MULTIPART.as_bytes());
    }

    #[test]
    fn missing_and_duplicate_parts_use_n6s_messages() {
        let email = Email::parse(MULTIPART.as_bytes().to_vec()).expect("parse");
        assert_eq!(
            email.text("text/html").expect_err("none").to_string(),
            "bad data from the source: unexpected e-mail message format: no `text/html` content found"
        );
        let twice = MULTIPART.replace(
            "Content-Type: text/plain; charset=utf-8",
            "Content-Type: text/csv",
        );
        let email = Email::parse(twice.into_bytes()).expect("parse");
        assert_eq!(
            email.text("text/csv").expect_err("two").to_string(),
            "bad data from the source: unexpected e-mail message format: multiple `text/csv` parts found"
        );
    }

    #[test]
    fn no_subject_no_date_no_meta() {
        let email = Email::parse(b"From: a@b\r\n\r\nbody\r\n".to_vec()).expect("parse");
        assert_eq!(email.subject(), None);
        assert_eq!(email.mail_time(), None);
        assert!(email.meta().is_empty());
        assert_eq!(email.text("text/plain").expect("body"), "body\n");
    }

    #[test]
    fn text_parts_have_n6s_newlines_binary_parts_their_bytes() {
        let raw = "Subject: s\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"B\"\r\n\
\r\n\
--B\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Dzie=C5=84 dobry!\r\n\
\r\n\
a=0Db=0D=0Ac\r\n\
--B\r\n\
Content-Type: application/octet-stream\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
eA0KeQ0=\r\n\
--B--\r\n";
        let email = Email::parse(raw.as_bytes().to_vec()).expect("parse");
        assert_eq!(
            email.text("text/plain").expect("text"),
            "Dzień dobry!\n\na\nb\nc"
        );
        let binary = &email.parts()[1];
        assert!(!binary.is_text);
        assert_eq!(binary.data, b"x\r\ny\r");
    }
}
