//! n6's `n6datasources.collectors.zoneh`: Zone-H's RSS of special defacements.
//!
//! As n6's `ZonehRssCollector`: every `item` of the feed gives the triple
//! `(title, description, pubDate)` (each the element's text, or `None`); the items not in
//! the state are published as one JSON list of triples (a `stream`), and the state
//! becomes the whole current set of items (n6: an ordered set, `OPSet`). Nothing new:
//! nothing published, the state kept.

use n6_collectors::prelude::*;

use crate::fetch;
use n6_collectors::helpers::pyjson::{self, PyJson as Json};

/// One feed item: n6's `(title, description, pubDate)`.
pub type Item = (Option<String>, Option<String>, Option<String>);

/// n6's `ZonehRssCollector`: `zoneh.rss` (`stream`).
#[derive(StatefulCollector)]
#[collector(
    source = "zoneh.rss",
    raw_type = "stream",
    state_file = "n6datasources.collectors.zoneh.ZonehRssCollector.cbor",
    download
)]
#[config_spec("url :: str")]
pub struct ZonehRssCollector {
    config: ZonehRssCollectorConfig,
    /// The items of the feed when it was last published (`None` before the first run).
    #[state(default = None)]
    state: Option<Vec<Item>>,
}

enum Token {
    Start(String, bool),
    End(String),
    Text(String),
}

fn decode_entities(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';') else { break };
        let name = &rest[1..end];
        let ch = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if name.starts_with("#x") => u32::from_str_radix(&name[2..], 16)
                .ok()
                .and_then(char::from_u32),
            _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn tokens(doc: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut rest = doc;
    while !rest.is_empty() {
        if let Some(body) = rest.strip_prefix("<![CDATA[") {
            let end = body.find("]]>").unwrap_or(body.len());
            out.push(Token::Text(body[..end].to_owned()));
            rest = body.get(end + 3..).unwrap_or("");
        } else if let Some(body) = rest.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |e| &body[e + 3..]);
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
        } else if let Some(body) = rest.strip_prefix("</") {
            let end = body.find('>').unwrap_or(body.len());
            out.push(Token::End(body[..end].trim().to_owned()));
            rest = body.get(end + 1..).unwrap_or("");
        } else if let Some(body) = rest.strip_prefix('<') {
            let end = body.find('>').unwrap_or(body.len());
            let inner = &body[..end];
            let closed = inner.ends_with('/');
            let name = inner
                .trim_end_matches('/')
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("")
                .to_owned();
            out.push(Token::Start(name, closed));
            rest = body.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            out.push(Token::Text(decode_entities(&rest[..end])));
            rest = &rest[end..];
        }
    }
    out
}

/// The `(title, description, pubDate)` of every `item` of an RSS document, in order,
/// each the text before the element's first child (lxml's `.text`), `None` when empty.
pub fn rss_items(doc: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut item_depth: Option<usize> = None;
    let mut current: Item = (None, None, None);
    // The child of the item being read: its name and whether its text is still open.
    let mut child: Option<(String, bool)> = None;
    for token in tokens(doc) {
        match token {
            Token::Start(name, closed) => {
                if let Some((_, open)) = child.as_mut() {
                    *open = false;
                }
                if item_depth == Some(depth) && child.is_none() {
                    child = Some((name.clone(), !closed));
                    if closed {
                        child = None;
                    }
                } else if item_depth.is_none() && name == "item" && !closed {
                    item_depth = Some(depth + 1);
                    current = (None, None, None);
                }
                if !closed {
                    depth += 1;
                }
            }
            Token::End(name) => {
                depth = depth.saturating_sub(1);
                if item_depth == Some(depth) {
                    child = None;
                }
                if item_depth == Some(depth + 1) && name == "item" {
                    items.push(std::mem::take(&mut current));
                    item_depth = None;
                    child = None;
                }
            }
            Token::Text(text) => {
                if let Some((name, true)) = &child {
                    let slot = match name.as_str() {
                        "title" => Some(&mut current.0),
                        "description" => Some(&mut current.1),
                        "pubDate" => Some(&mut current.2),
                        _ => None,
                    };
                    if let Some(slot) = slot {
                        slot.get_or_insert_with(String::new).push_str(&text);
                    }
                }
            }
        }
    }
    items
}

fn to_json(item: &Item) -> Json {
    let s = |v: &Option<String>| v.clone().map_or(Json::Null, Json::Str);
    Json::Array(vec![s(&item.0), s(&item.1), s(&item.2)])
}

impl Collect for ZonehRssCollector {
    fn collect(&mut self, out: &mut Output<'_, Option<Vec<Item>>>) -> Result<()> {
        let settings = n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
        let (rss, meta) = fetch::get(settings, &self.config.url)?;
        let rss = String::from_utf8_lossy(&rss);
        let mut current: Vec<Item> = Vec::new();
        for item in rss_items(&rss) {
            if !current.contains(&item) {
                current.push(item);
            }
        }
        let new: Vec<Json> = current
            .iter()
            .filter(|item| self.state.as_ref().is_none_or(|old| !old.contains(item)))
            .map(to_json)
            .collect();
        if new.is_empty() {
            tracing::info!("nothing new in the feed");
            return Ok(());
        }
        out.publish_with_meta(pyjson::dumps(&Json::Array(new)), meta)?;
        self.state = Some(current);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_as_lxml_reads_them() {
        let doc = "<?xml version=\"1.0\"?><rss><channel><title>T</title><item><title><![CDATA[a &amp; b]]></title>\
                   <description>x &amp; y</description><pubDate>Tue</pubDate></item>\
                   <item><title/><link>l</link></item></channel></rss>";
        assert_eq!(
            rss_items(doc),
            vec![
                (
                    Some("a &amp; b".into()),
                    Some("x & y".into()),
                    Some("Tue".into())
                ),
                (None, None, None),
            ]
        );
    }
}
