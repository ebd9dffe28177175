//! n6's `n6datasources.collectors.withaname`: the DDoSia target lists published on
//! witha.name, one message per new CSV file.
//!
//! As n6's `WithanameDdosiaCollector`: the index page at `url` is searched for links
//! `href="....csv"` (except `last.csv`) whose name holds a `YYYY-MM-DD_HH-MM-SS` time
//! newer than the state; each such CSV, oldest first, is fetched from `url + link` and
//! published as `{"csv_file": <text>, "datetime": "<ISO time>"}` unless it is empty or
//! only the header line. The state is the newest link time seen (n6: a naive
//! `datetime`), advanced even when that CSV was empty.
//!
//! Unlike n6, a link with no time in its name is skipped (n6 crashes on it).

use n6_collectors::helpers::download::DownloadSettings;
use n6_collectors::prelude::*;

use n6_collectors::helpers::pyjson::{self, PyJson, PyObject};

use crate::fetch;

/// The bare header line n6 treats as an empty list.
const CSV_HEADER: &str = "host,ip,type,method,port,use_ssl,path\r\n";

/// n6's `WithanameDdosiaCollector`: `withaname.ddosia` (`file`, `text/csv`).
#[derive(StatefulCollector)]
#[collector(
    source = "withaname.ddosia",
    raw_type = "file",
    content_type = "text/csv",
    state_file = "n6datasources.collectors.withaname.WithanameDdosiaCollector.cbor",
    download
)]
#[config_spec("url :: str")]
pub struct WithanameDdosiaCollector {
    config: WithanameDdosiaCollectorConfig,
    /// The newest link time published, `YYYY-MM-DDTHH:MM:SS` (n6's naive `datetime`).
    #[state(default = NewestLink::default())]
    state: NewestLink,
}

/// The state: the time of the newest CSV link seen, as Python's `isoformat()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NewestLink(pub String);

impl Default for NewestLink {
    /// n6's `datetime(1970, 1, 1, 0, 0, 0)`.
    fn default() -> Self {
        NewestLink("1970-01-01T00:00:00".to_owned())
    }
}

/// The CSV links of the index page (n6's `href="((?!last\.csv)[^"]+\.csv)"`), in order.
pub fn csv_links(page: &str) -> Vec<&str> {
    let mut links = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find("href=\"") {
        rest = &rest[at + 6..];
        let Some(end) = rest.find('"') else { break };
        let candidate = &rest[..end];
        // The regex matches the longest `[^"]+` ending in `.csv` right before a quote,
        // and the look-ahead refuses a match starting with `last.csv`.
        if candidate.len() > 4 && candidate.ends_with(".csv") && !candidate.starts_with("last.csv")
        {
            links.push(candidate);
        }
    }
    links
}

/// The time in a link's name (`YYYY-MM-DD_HH-MM-SS`, the first such run of digits) as
/// `YYYY-MM-DDTHH:MM:SS`, if it is a valid time.
pub fn link_time(link: &str) -> Option<String> {
    let b = link.as_bytes();
    let shape = b"dddd-dd-dd_dd-dd-dd";
    let start = (0..=b.len().checked_sub(shape.len())?).find(|&i| {
        shape.iter().zip(&b[i..]).all(|(s, c)| match s {
            b'd' => c.is_ascii_digit(),
            s => s == c,
        })
    })?;
    let s = &link[start..start + shape.len()];
    let format = time::macros::format_description!("[year]-[month]-[day]_[hour]-[minute]-[second]");
    let dt = time::PrimitiveDateTime::parse(s, &format).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    ))
}

impl Collect for WithanameDdosiaCollector {
    fn collect(&mut self, out: &mut Output<'_, NewestLink>) -> Result<()> {
        let settings: DownloadSettings =
            n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
        let (page, _) = fetch::get(settings.clone(), &self.config.url)?;
        let page = String::from_utf8(page)
            .map_err(|e| Error::bad_data(format!("the index page is not UTF-8: {e}")))?;
        let mut new: Vec<(&str, String)> = Vec::new();
        for link in csv_links(&page) {
            match link_time(link) {
                Some(t) if t > self.state.0 => new.push((link, t)),
                Some(_) => {}
                None => tracing::error!("no valid date in the link {link:?}; skipped"),
            }
        }
        let Some(newest) = new.iter().map(|(_, t)| t.clone()).max() else {
            tracing::info!("No new data.");
            return Ok(());
        };
        new.sort_by(|a, b| a.1.cmp(&b.1));
        for (link, time) in &new {
            let url = format!("{}{link}", self.config.url);
            let (csv, meta) = fetch::get(settings.clone(), &url)?;
            let csv = String::from_utf8(csv)
                .map_err(|e| Error::bad_data(format!("{url}: not UTF-8: {e}")))?;
            if csv.is_empty() || csv == CSV_HEADER {
                tracing::info!("the csv file contains no data.");
                continue;
            }
            let dict = PyObject::new()
                .with("csv_file", csv.as_str())
                .with("datetime", time.as_str());
            let body = pyjson::dumps(&PyJson::from(dict));
            out.publish_with_meta(body, meta)?;
        }
        self.state = NewestLink(newest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_times_as_n6_finds_them() {
        let page = r#"<a href="2024-08-25_07-43-15_DDoSia-target-list-full.json">x</a>
            <a href="2024-08-25_07-43-15_DDoSia-target-list.csv">y</a> <a href="last.csv">z</a>
            <a href="nodate.csv">w</a>"#;
        assert_eq!(
            csv_links(page),
            ["2024-08-25_07-43-15_DDoSia-target-list.csv", "nodate.csv"]
        );
        assert_eq!(
            link_time("2024-08-25_07-43-15_DDoSia-target-list.csv").as_deref(),
            Some("2024-08-25T07:43:15")
        );
        assert_eq!(link_time("2024-13-25_07-43-15.csv"), None);
        assert_eq!(link_time("nodate.csv"), None);
    }
}
