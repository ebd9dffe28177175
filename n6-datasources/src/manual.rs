//! n6's `n6datasources.collectors.manual`: a file submitted by hand.
//!
//! `n6collector_manual --source_channel pl --category bots ... FILE` publishes FILE (gunzipped
//! when it starts with the gzip magic) as one `file` (`text/plain`) message of
//! `manual.<channel>`, with what the command line says about its events in
//! `headers.meta.event_base`, how n6's manual parser should read it in
//! `headers.meta.parsing_info`, `headers.meta.dry_run` unless `--final_run`, and the
//! top-level header `_do_not_resolve_fqdn_to_ip`. It has no config section and no state.
//!
//! `-i`/`--interactive` asks the same questions on the terminal (n6's prompts, on stdout;
//! answers on stdin); the other options are then ignored and the message is a dry run.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use n6_collectors::cli::CollectorArgs;
use n6_collectors::config::isotime::parse_iso_datetime_to_utc;
use n6_collectors::helpers::archive::{self, Limits};
use n6_collectors::helpers::rows::format_py_datetime;
use n6_collectors::prelude::*;

/// n6's `ManualCollector.MANUAL_SOURCE_CHANNELS`.
pub const SOURCE_CHANNELS: &[&str] = &["unrestricted", "pl"];
/// n6's `CATEGORY_ENUMS` (`n6sdk.data_spec`).
pub const CATEGORIES: &[&str] = &[
    "amplifier",
    "bots",
    "backdoor",
    "cnc",
    "deface",
    "dns-query",
    "dos-attacker",
    "dos-victim",
    "exposed",
    "flow",
    "flow-anomaly",
    "fraud",
    "leak",
    "malurl",
    "malware-action",
    "other",
    "phish",
    "proxy",
    "sandbox-url",
    "scam",
    "scanning",
    "server-exploit",
    "spam",
    "spam-url",
    "tor",
    "vulnerable",
    "webinject",
];
/// n6's `CONFIDENCE_ENUMS`.
pub const CONFIDENCES: &[&str] = &["low", "medium", "high"];
/// n6's `RESTRICTION_ENUMS`.
pub const RESTRICTIONS: &[&str] = &["public", "need-to-know", "internal"];
/// n6's `ORIGIN_ENUMS`.
pub const ORIGINS: &[&str] = &[
    "c2",
    "dropzone",
    "proxy",
    "p2p-crawler",
    "p2p-drone",
    "sinkhole",
    "sandbox",
    "honeypot",
    "darknet",
    "av",
    "ids",
    "waf",
];

/// n6's `validate_datetime`: empty → none; an ISO date-time (to naive UTC) or a
/// `YYYY-MM-DD` date (midnight), as Python's `str(datetime)`.
pub fn parse_event_time(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(dt) = parse_iso_datetime_to_utc(text) {
        return Ok(Some(format_py_datetime(dt)));
    }
    // `datetime.strptime(text, '%Y-%m-%d')`: 4-digit year, 1-2 digit month and day.
    let invalid =
        || "This value must be datetime formatted e.g. '%Y-%m-%dT%H:%M', '%Y-%m-%d'".to_owned();
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    let digits = |s: &str, max: usize| {
        (!s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u16>().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (digits(y, 4), digits(m, 2), digits(d, 2)) else {
        return Err(invalid());
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(invalid)?;
    let day = u8::try_from(day).map_err(|_| invalid())?;
    let date =
        time::Date::from_calendar_date(i32::from(year), month, day).map_err(|_| invalid())?;
    Ok(Some(format!("{date} 00:00:00")))
}

/// n6's `validate_singlechar`.
fn single_char(text: &str) -> Result<String, String> {
    if text.chars().count() == 1 {
        Ok(text.to_owned())
    } else {
        Err("This value must be a single char".to_owned())
    }
}

/// n6's `existing_file`: the file must exist (it is not opened yet).
fn existing_file(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    if path.exists() {
        Ok(path)
    } else {
        Err(format!("{text} does not exist"))
    }
}

/// n6's `ManualCollector` command line (its option names, with underscores).
#[derive(Debug, Clone, clap::Args)]
pub struct ManualArgs {
    /// Interactive data submission; if set, the other options are ignored.
    #[arg(short = 'i', long = "interactive")]
    pub interactive: bool,
    /// Save data to n6 (without it: a dry run first, to test parsing).
    #[arg(short = 'f', long = "final_run")]
    pub final_run: bool,
    /// The source channel: manual.unrestricted or manual.pl.
    #[arg(long = "source_channel", value_parser = clap::builder::PossibleValuesParser::new(SOURCE_CHANNELS))]
    pub source_channel: Option<String>,
    /// n6 category.
    #[arg(long = "category", value_parser = clap::builder::PossibleValuesParser::new(CATEGORIES))]
    pub category: Option<String>,
    /// n6 confidence level.
    #[arg(long = "confidence", value_parser = clap::builder::PossibleValuesParser::new(CONFIDENCES))]
    pub confidence: Option<String>,
    /// n6 visibility restriction.
    #[arg(long = "restriction", value_parser = clap::builder::PossibleValuesParser::new(RESTRICTIONS))]
    pub restriction: Option<String>,
    /// Name of the threat.
    #[arg(long = "name")]
    pub name: Option<String>,
    /// n6 origin of data.
    #[arg(long = "origin", value_parser = clap::builder::PossibleValuesParser::new(ORIGINS))]
    pub origin: Option<String>,
    /// Describe where the data comes from.
    #[arg(long = "dataset")]
    pub dataset: Option<String>,
    /// UTC event time (if not provided in the submitted file), e.g. '%Y-%m-%dT%H:%M', '%Y-%m-%d'.
    #[arg(long = "time", value_parser = parse_event_time)]
    pub time: Option<Option<String>>,
    /// Character separating columns.
    #[arg(long = "field_sep", default_value = ",", value_parser = single_char)]
    pub field_sep: String,
    /// Character starting comments.
    #[arg(long = "comment_prefix", default_value = "#", value_parser = single_char)]
    pub comment_prefix: String,
    /// Instructions for n6's parser how to interpret the columns.
    #[arg(long = "column_spec")]
    pub column_spec: Option<String>,
    /// How to parse date and time in the file, e.g. %m/%d/%Y %H:%M (default: ISO or a UNIX timestamp).
    #[arg(long = "time_format")]
    pub time_format: Option<String>,
    /// Tell n6's enricher not to resolve FQDNs to IPs.
    #[arg(long = "skip_fqdn_to_ip")]
    pub skip_fqdn_to_ip: bool,
    /// The file to submit to n6.
    #[arg(value_name = "FILE", value_parser = existing_file)]
    pub input_file: PathBuf,
}

impl CollectorArgs for ManualArgs {}

/// n6's `ManualCollector`: `manual.<channel>` (`file`, `text/plain`).
#[derive(StatefulCollector)]
#[collector(
    source = "manual.unrestricted",
    raw_type = "file",
    content_type = "text/plain"
)]
pub struct ManualCollector {
    config: ManualCollectorConfig,
    #[args]
    args: ManualArgs,
}

fn optional(value: &Option<String>) -> HeaderValue {
    value
        .as_ref()
        .map_or(HeaderValue::Null, |v| HeaderValue::Str(v.clone()))
}

/// What goes into the message's headers besides the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// The source channel.
    pub channel: String,
    /// `headers.meta.event_base`.
    pub event_base: HeaderTable,
    /// `headers.meta.parsing_info`.
    pub parsing_info: HeaderTable,
    /// `headers.meta.dry_run` is set (true) when this is.
    pub dry_run: bool,
    /// The top-level header `_do_not_resolve_fqdn_to_ip`.
    pub do_not_resolve_fqdn_to_ip: bool,
}

impl ManualArgs {
    /// The submission as the command line gives it (n6's non-interactive branches).
    pub fn submission(&self) -> Result<Submission> {
        let Some(channel) = self.source_channel.clone() else {
            return Err(Error::Usage(
                "argument --source_channel is required".to_owned(),
            ));
        };
        let mut event_base = HeaderTable::default();
        for (key, value) in [
            ("category", &self.category),
            ("confidence", &self.confidence),
            ("restriction", &self.restriction),
            ("name", &self.name),
            ("origin", &self.origin),
            ("dataset", &self.dataset),
            ("time", &self.time.clone().flatten()),
        ] {
            event_base.insert(key, optional(value));
        }
        let mut parsing_info = HeaderTable::default();
        parsing_info.insert("field_separator", HeaderValue::Str(self.field_sep.clone()));
        parsing_info.insert(
            "comment_prefix",
            HeaderValue::Str(self.comment_prefix.clone()),
        );
        parsing_info.insert("column_spec", optional(&self.column_spec));
        parsing_info.insert("time_format", optional(&self.time_format));
        Ok(Submission {
            channel,
            event_base,
            parsing_info,
            dry_run: !self.final_run,
            do_not_resolve_fqdn_to_ip: self.skip_fqdn_to_ip,
        })
    }
}

/// n6's interactive questions (`_ask_interactive_question`), on `output`, answers from `input`.
pub struct Questions<R, W> {
    input: R,
    output: W,
}

impl<R: BufRead, W: Write> Questions<R, W> {
    /// Questions asked on `output`, answered on `input`.
    pub fn new(input: R, output: W) -> Self {
        Questions { input, output }
    }

    /// Python's `print(text)`.
    fn say(&mut self, text: &str) -> Result<()> {
        self.write(&format!("{text}\n"))
    }

    /// Python's `sys.stdout.write(text)`.
    fn write(&mut self, text: &str) -> Result<()> {
        self.output
            .write_all(text.as_bytes())
            .and_then(|()| self.output.flush())
            .map_err(|e| Error::Bug(format!("cannot write a question: {e}")))
    }

    fn line(&mut self) -> Result<String> {
        let mut line = String::new();
        let read = self
            .input
            .read_line(&mut line)
            .map_err(|e| Error::bad_data(format!("cannot read an answer: {e}")))?;
        if read == 0 {
            return Err(Error::bad_data("no answer (end of input)"));
        }
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    }

    /// A free-text question, asked again until `validate` accepts the answer.
    pub fn text<T>(
        &mut self,
        question: &str,
        validate: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T> {
        self.say(&format!("\n{question}"))?;
        loop {
            match validate(&self.line()?) {
                Ok(value) => return Ok(value),
                Err(_) => self.write("Please provide valid input: \n")?,
            }
        }
    }

    /// A choice among `choices` (by number), or `n` for none when `allow_none`.
    pub fn choice(
        &mut self,
        question: &str,
        choices: &[&str],
        allow_none: bool,
    ) -> Result<Option<String>> {
        self.say(&format!("\n{question}"))?;
        for (n, choice) in choices.iter().enumerate() {
            self.say(&format!("  [{n}] {choice}"))?;
        }
        if allow_none {
            self.say("  [n] None - value defined in submitted file")?;
        }
        loop {
            let answer = self.line()?.to_lowercase();
            if allow_none && answer == "n" {
                return Ok(None);
            }
            // `choices[int(choice)]`: Python's `int` takes surrounding whitespace and a
            // sign, and a negative index counts from the end.
            let index = answer.trim().parse::<i64>().ok().and_then(|n| {
                let len = i64::try_from(choices.len()).ok()?;
                usize::try_from(if n < 0 { len + n } else { n }).ok()
            });
            match index.and_then(|n| choices.get(n)) {
                Some(choice) => return Ok(Some((*choice).to_owned())),
                None => self.write("Please respond with a valid choice: ")?,
            }
        }
    }

    /// The whole interactive submission, in n6's order of questions.
    pub fn submission(&mut self) -> Result<Submission> {
        let channel = self
            .choice("Select source channel: ", SOURCE_CHANNELS, false)?
            .ok_or_else(|| Error::Bug("no channel chosen".to_owned()))?;
        self.say("\n\nPlease provide base information about submitted events.")?;
        self.say("If the submitted file contains relevant columns use 'n' option.")?;
        self.say("Submission will fail if some mandatory fields are missing.\n")?;
        let mut event_base = HeaderTable::default();
        let category = self.choice("Select category:", CATEGORIES, true)?;
        event_base.insert("category", optional(&category));
        let confidence = self.choice("Select confidence level:", CONFIDENCES, true)?;
        event_base.insert("confidence", optional(&confidence));
        let restriction = self.choice("Select visibility restriction:", RESTRICTIONS, true)?;
        event_base.insert("restriction", optional(&restriction));
        let name = self.text("What is name of the threat (optional)", |s| {
            Ok::<_, String>(s.to_owned())
        })?;
        event_base.insert("name", HeaderValue::Str(name));
        let origin = self.choice("Select origin of data", ORIGINS, true)?;
        event_base.insert("origin", optional(&origin));
        let dataset = self.text("Describe where data comes from:", |s| {
            Ok::<_, String>(s.to_owned())
        })?;
        event_base.insert("dataset", HeaderValue::Str(dataset));
        let time = self.text(
            "UTC event time (if not provided in submitted file) e.g.: '%Y-%m-%dT%H:%M' or '%Y-%m-%d':",
            parse_event_time,
        )?;
        event_base.insert("time", optional(&time));

        self.say("\n\nPlease provide information how to parse submitted file.")?;
        self.say("Parser reads tabular data with defined separator and comment characters")?;
        self.say(
            "First line of the file may be a comment and provide information about columns and n6 field names, e.g.:",
        )?;
        self.say("#ip,url,-,-,time")?;
        self.say("use '-' to skip the column, any other value should be a valid n6 field name.\n")?;
        let mut parsing_info = HeaderTable::default();
        let sep = self.text("Input column separator char: ", single_char)?;
        parsing_info.insert("field_separator", HeaderValue::Str(sep));
        let prefix = self.text("Input comment prefix char: ", single_char)?;
        parsing_info.insert("comment_prefix", HeaderValue::Str(prefix));
        let spec = self.text(
            "Enter parsing instructions for the parser (i.e. column specification), e.g.:\n\
             time,-,ip,url,-,-\n\
             Leave blank if submitted file contains parsing info in the first line.",
            |s| Ok::<_, String>(s.to_owned()),
        )?;
        parsing_info.insert("column_spec", HeaderValue::Str(spec));
        let format = self.text(
            "How to parse date and time in the file, e.g. %m/%d/%Y %H:%M\n\
             Leave blank if time and date in the file are ISO formatted or are UNIX timestamp",
            |s| Ok::<_, String>(s.to_owned()),
        )?;
        parsing_info.insert("time_format", HeaderValue::Str(format));
        let skip = self.text(
            "Do not resolve fqdn to ip (True or False).\nLeave blank if False",
            |s| match s {
                "True" | "true" => Ok(true),
                "False" | "false" | "" => Ok(false),
                _ => Err("This value must be True, False or blank".to_owned()),
            },
        )?;
        Ok(Submission {
            channel,
            event_base,
            parsing_info,
            dry_run: true,
            do_not_resolve_fqdn_to_ip: skip,
        })
    }
}

impl Collect for ManualCollector {
    fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
        let path = &self.args.input_file;
        let data = std::fs::read(path).map_err(|e| {
            Error::source_unavailable(format!("cannot read {}: {e}", path.display()))
        })?;
        let body = archive::gunzip_if_magic(&data, Limits::default())?;
        drop(data);
        let submission = if self.args.interactive {
            let stdin = std::io::stdin();
            Questions::new(stdin.lock(), std::io::stdout()).submission()?
        } else {
            self.args.submission()?
        };
        let mut message = out
            .message(body)
            .source(format!("manual.{}", submission.channel))
            .meta_entry("event_base", HeaderValue::Table(submission.event_base))
            .meta_entry("parsing_info", HeaderValue::Table(submission.parsing_info));
        if submission.dry_run {
            message = message.meta_entry("dry_run", HeaderValue::Bool(true));
        }
        if self.args.interactive {
            println!("Publishing data to n6...");
        }
        message
            .header(
                "_do_not_resolve_fqdn_to_ip",
                HeaderValue::Bool(submission.do_not_resolve_fqdn_to_ip),
            )
            .publish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_times_as_n6_validates_them() {
        assert_eq!(parse_event_time(""), Ok(None));
        assert_eq!(
            parse_event_time("2024-01-02T03:04+02:00"),
            Ok(Some("2024-01-02 01:04:00".to_owned()))
        );
        assert_eq!(
            parse_event_time("2024-1-2"),
            Ok(Some("2024-01-02 00:00:00".to_owned()))
        );
        assert!(parse_event_time("yesterday").is_err());
        assert!(parse_event_time("2024-02-30").is_err());
    }

    #[test]
    fn interactive_answers_make_a_dry_run_submission() {
        let answers = "7\n1\nx\n0\n0\n-1\nBotnet X\nn\nfeed\n2024-01-02\n;;\n;\n#\nip,-\n\nTrue\n";
        let mut shown = Vec::new();
        let submission = Questions::new(answers.as_bytes(), &mut shown)
            .submission()
            .expect("answered");
        assert_eq!(submission.channel, "pl");
        assert!(submission.dry_run && submission.do_not_resolve_fqdn_to_ip);
        let shown = String::from_utf8(shown).expect("utf-8");
        assert!(
            shown.contains("Please respond with a valid choice: "),
            "{shown}"
        );
        assert_eq!(
            submission.event_base.get("category"),
            Some(&HeaderValue::Str("amplifier".into()))
        );
        assert_eq!(
            submission.event_base.get("restriction"),
            Some(&HeaderValue::Str("internal".into()))
        );
        assert!(shown.contains("Please provide valid input: \n"), "{shown}");
        assert_eq!(
            submission.event_base.get("origin"),
            Some(&HeaderValue::Null)
        );
        assert_eq!(
            submission.event_base.get("time"),
            Some(&HeaderValue::Str("2024-01-02 00:00:00".into()))
        );
        assert_eq!(
            submission.parsing_info.get("time_format"),
            Some(&HeaderValue::Str(String::new()))
        );
    }
}
