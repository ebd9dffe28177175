//! n6's `n6datasources.collectors.shadowserver`: Shadowserver's report e-mails.
//!
//! procmail pipes one e-mail on stdin. Its subject names the report (the first group of
//! `subject_pattern`: the *pure subject*), `subject_to_channel` maps that to the source
//! channel and `channel_to_raw_format_version_tag` to the routing key's version tag; the
//! body of the first `text/plain` part that `item_url_pattern` matches gives the URL
//! (its first group) the report is downloaded from. One `file` (`text/csv`) message:
//! the download, with the e-mail's `mail_time` and `mail_subject` and the download's
//! `http_last_modified` in `headers.meta`.

use n6_collectors::config::PyValue;
use n6_collectors::config::pyliteral::py_ascii_repr;
use n6_collectors::helpers::email::Email;
use n6_collectors::helpers::pyre::PyRegex;
use n6_collectors::prelude::*;

use crate::fetch;

/// n6's `ShadowserverMailCollector`: `shadowserver.<channel>` (`file`, `text/csv`), the
/// channel chosen by the e-mail's subject.
#[derive(StatefulCollector)]
#[collector(
    source = "shadowserver.mail",
    raw_type = "file",
    content_type = "text/csv",
    download
)]
#[config_spec(
    r#"
    subject_pattern :: str
    item_url_pattern :: str
    subject_to_channel :: py
    channel_to_raw_format_version_tag :: py
"#
)]
pub struct ShadowserverMailCollector {
    config: ShadowserverMailCollectorConfig,
}

/// Where one report e-mail goes: n6's `_source_channel` and `raw_format_version_tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The source channel (`shadowserver.<channel>`).
    pub channel: String,
    /// The raw format version tag of the channel's parser, if it has one.
    pub raw_format_version_tag: Option<String>,
}

/// n6's `ConfigError` (exit 78).
fn config_error(message: String) -> Error {
    Error::Config(vec![message])
}

/// Looks `key` up in a Python dict from the config: `Ok(None)` when the key is missing.
fn dict_get<'d>(option: &str, dict: &'d PyValue, key: &str) -> Result<Option<&'d PyValue>> {
    let PyValue::Dict(items) = dict else {
        return Err(config_error(format!(
            "`{option}` should be a Python dict, not {}",
            dict
        )));
    };
    Ok(items
        .iter()
        .rev() // a repeated key: the last value counts, as in Python
        .find(|(k, _)| matches!(k, PyValue::Str(s) if s == key))
        .map(|(_, v)| v))
}

/// A channel or tag given in a mapping: a `str` (an `int` as Python's `str()` of it).
fn text_of(option: &str, value: &PyValue) -> Result<String> {
    match value {
        PyValue::Str(s) => Ok(s.clone()),
        PyValue::Int(i) => Ok(i.to_string()),
        other => Err(config_error(format!(
            "wrong `{option}` mapping: {} is not a string",
            other
        ))),
    }
}

/// The collector's four options, as its rules for one e-mail.
#[derive(Debug, Clone, Copy)]
pub struct MailRules<'c> {
    /// `subject_pattern`: its first group is the pure subject.
    pub subject_pattern: &'c str,
    /// `item_url_pattern`: its first group is the report's URL.
    pub item_url_pattern: &'c str,
    /// `subject_to_channel`: pure subject → source channel.
    pub subject_to_channel: &'c PyValue,
    /// `channel_to_raw_format_version_tag`: source channel → tag or `None`.
    pub channel_to_raw_format_version_tag: &'c PyValue,
}

impl MailRules<'_> {
    /// n6's `__init__` checks, in its order: both patterns (each with a capture group),
    /// the subject, its pure subject, the channel, the version tag.
    pub fn route(&self, email: &Email) -> Result<Route> {
        let subject_re = PyRegex::config_option("subject_pattern", self.subject_pattern, 1)?;
        PyRegex::config_option("item_url_pattern", self.item_url_pattern, 1)?;
        let Some(subject) = email.subject() else {
            return Err(Error::bad_data(
                "unsupported e-mail format: no subject found",
            ));
        };
        let Some(found) = subject_re.search(subject) else {
            return Err(Error::bad_data(format!(
                "unsupported e-mail format: the `subject_pattern` regex ({}) does not match \
                 the message subject ({})",
                py_ascii_repr(subject_re.pattern()),
                py_ascii_repr(subject)
            )));
        };
        let pure_subject = found.group(1);
        let channel = match pure_subject {
            Some(pure) => dict_get("subject_to_channel", self.subject_to_channel, pure)?,
            None => None,
        };
        let channel = match channel {
            None | Some(PyValue::None) => {
                return Err(config_error(format!(
                    "wrong `subject_to_channel` mapping: no source channel for the pure subject {}",
                    pure_subject.map_or("None".to_owned(), py_ascii_repr)
                )));
            }
            Some(value) => text_of("subject_to_channel", value)?,
        };
        let tag = dict_get(
            "channel_to_raw_format_version_tag",
            self.channel_to_raw_format_version_tag,
            &channel,
        )?;
        let raw_format_version_tag = match tag {
            None => {
                return Err(config_error(format!(
                    "wrong `channel_to_raw_format_version_tag` mapping: missing data for the \
                     source channel {}",
                    py_ascii_repr(&channel)
                )));
            }
            Some(PyValue::None) => None,
            Some(value) => Some(text_of("channel_to_raw_format_version_tag", value)?),
        };
        Ok(Route {
            channel,
            raw_format_version_tag,
        })
    }

    /// n6's `_extract_url_from_email_msg`: the first group of `item_url_pattern` in the
    /// first `text/plain` part it matches.
    pub fn report_url(&self, email: &Email) -> Result<String> {
        let url_re = PyRegex::config_option("item_url_pattern", self.item_url_pattern, 1)?;
        let no_url = || {
            Error::bad_data(format!(
                "no URL found in the e-mail message (`iter_url_pattern`, which is set to {}, \
                 did not match...)",
                py_ascii_repr(url_re.pattern())
            ))
        };
        let part = email
            .find_content("text/plain", Some(&url_re), true)?
            .ok_or_else(no_url)?;
        let text = std::str::from_utf8(&part.data).map_err(|_| no_url())?;
        url_re
            .search(text)
            .and_then(|m| m.group(1).map(str::to_owned))
            .ok_or_else(no_url)
    }
}

impl ShadowserverMailCollector {
    /// The collector's options as [`MailRules`].
    pub fn rules(&self) -> MailRules<'_> {
        MailRules {
            subject_pattern: &self.config.subject_pattern,
            item_url_pattern: &self.config.item_url_pattern,
            subject_to_channel: &self.config.subject_to_channel,
            channel_to_raw_format_version_tag: &self.config.channel_to_raw_format_version_tag,
        }
    }
}

impl Collect for ShadowserverMailCollector {
    fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
        let settings = n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
        let email = Email::from_stdin()?;
        let rules = self.rules();
        let route = rules.route(&email)?;
        let url = rules.report_url(&email)?;
        let (body, download_meta) = fetch::get(settings, &url)?;
        let mut meta = email.meta();
        for (key, value) in download_meta.0 {
            meta.insert(key, value);
        }
        out.message(body)
            .source(format!("shadowserver.{}", route.channel))
            .raw_format_version_tag(route.raw_format_version_tag)
            .meta(meta)
            .publish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "Date: Sun, 23 Apr 2023 20:01:23 -0700\n\
Subject: [Poland] Shadowserver Poland Accessible AMQP\n\tReport: 2023-04-23\n\
MIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=\"B\"\n\
\n\
--B\n\
Content-Type: text/plain\n\
\n\
Nothing here.\n\
--B\n\
Content-Type: text/plain\n\
\n\
Get it: https://dl.shadowserver.org/Ab-1_x \n\
--B--\n";

    fn py(text: &str) -> PyValue {
        n6_collectors::config::pyliteral::literal_eval(text).expect("a Python literal")
    }

    fn check<T>(subjects: &str, tags: &str, test: impl FnOnce(MailRules<'_>) -> T) -> T {
        let (subjects, tags) = (py(subjects), py(tags));
        test(MailRules {
            subject_pattern: "Shadowserver (.+) Report",
            item_url_pattern: "(https?://dl.shadowserver.org/[?a-zA-Z0-9_-]+)",
            subject_to_channel: &subjects,
            channel_to_raw_format_version_tag: &tags,
        })
    }

    fn email() -> Email {
        Email::parse(EMAIL.as_bytes().to_vec()).expect("parses")
    }

    #[test]
    fn the_subject_picks_channel_and_tag_and_the_text_part_the_url() {
        check(
            r#"{"Poland Accessible AMQP": "amqp"}"#,
            r#"{"amqp": None, "adb": "202204"}"#,
            |rules| {
                assert_eq!(
                    rules.route(&email()).expect("route"),
                    Route {
                        channel: "amqp".into(),
                        raw_format_version_tag: None
                    }
                );
                assert_eq!(
                    rules.report_url(&email()).expect("url"),
                    "https://dl.shadowserver.org/Ab-1_x"
                );
            },
        );
        let tag = check(
            r#"{"Poland Accessible AMQP": "amqp"}"#,
            r#"{"amqp": "202401"}"#,
            |rules| rules.route(&email()).expect("route").raw_format_version_tag,
        );
        assert_eq!(tag, Some("202401".into()));
    }

    #[test]
    fn mapping_problems_are_config_errors_in_n6s_words() {
        let e = check(r#"{"Other": "x"}"#, r#"{"amqp": None}"#, |rules| {
            rules.route(&email()).expect_err("no channel")
        });
        assert_eq!(e.exit_code(), 78);
        assert!(
            e.to_string()
                .contains("no source channel for the pure subject 'Poland Accessible AMQP'"),
            "{e}"
        );
        let e = check(r#"{"Poland Accessible AMQP": "amqp"}"#, r#"{}"#, |rules| {
            rules.route(&email()).expect_err("no tag")
        });
        assert_eq!(e.exit_code(), 78);
        assert!(
            e.to_string()
                .contains("missing data for the source channel 'amqp'"),
            "{e}"
        );
    }

    #[test]
    fn a_subject_the_pattern_misses_and_a_missing_url_are_bad_data() {
        check(
            r#"{"Poland Accessible AMQP": "amqp"}"#,
            r#"{"amqp": None}"#,
            |rules| {
                let other =
                    Email::parse(b"Subject: Hello\n\nhttps://dl.shadowserver.org/x\n".to_vec())
                        .expect("parses");
                let e = rules.route(&other).expect_err("no match");
                assert_eq!(e.exit_code(), 65);
                assert!(
                    e.to_string()
                        .contains("does not match the message subject ('Hello')"),
                    "{e}"
                );
                let no_url = Email::parse(b"Subject: s\n\nhttps://example.org/x\n".to_vec())
                    .expect("parses");
                let e = rules.report_url(&no_url).expect_err("no url");
                assert!(
                    e.to_string().contains("no URL found in the e-mail message"),
                    "{e}"
                );
                let none = Email::parse(b"From: a@b\n\nx\n".to_vec()).expect("parses");
                assert!(
                    rules
                        .route(&none)
                        .expect_err("no subject")
                        .to_string()
                        .contains("no subject found")
                );
            },
        );
    }
}
