//! RSS/XML items with n6's HTML fallback (n6's Zone-H collector, `_process_rss`):
//! `etree.fromstring(data)`, or on an XML syntax error `lxml.html.fromstring(data)`;
//! then `//item`, and for each item the `.text` of its child elements by tag.
//!
//! XML is parsed with `roxmltree` (UTF-8, with or without BOM, or ISO-8859-1 when the
//! declaration says so; other encodings count as malformed). `//item` is every
//! element named `item` without a namespace, in document order; a field is the text
//! before the child's first child node (`lxml`'s `.text`: None when empty), and a
//! field given twice takes the last.
//!
//! The HTML fallback follows what `lxml.html` (libxml2's HTML parser) makes of a feed
//! that is not well-formed: tag names are lower-cased (so a `pubDate` field is never
//! found, as in n6), `<title>` holds raw text up to `</title>` (a CDATA section stays
//! literal inside it), CDATA elsewhere is a comment, void elements (`<link>`, `<br>`,
//! ...) and `<x/>` hold nothing, an end tag closes up to its open element, and the common
//! entities and character references are decoded. It is an approximation of libxml2
//! for feed-like input, not an HTML5 parser.
//!
//! ```
//! use n6_collectors::helpers::xml::{Parsed, items};
//!
//! let rss = b"<rss><channel><item><title><![CDATA[http://a.example]]></title>\
//!             <pubDate>Tue, 10 Jan 2023 12:00:00 +0000</pubDate></item></channel></rss>";
//! let found = items(rss, "item", &["title", "description", "pubDate"])?;
//! assert_eq!(found.parsed, Parsed::Xml);
//! assert_eq!(found.items[0], [Some("http://a.example".to_owned()), None,
//!            Some("Tue, 10 Jan 2023 12:00:00 +0000".to_owned())]);
//! # Ok::<(), n6_collectors::helpers::xml::XmlError>(())
//! ```

/// Which parser read the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    /// Well-formed XML.
    Xml,
    /// Not well-formed: read as HTML (n6's fallback).
    Html,
}

/// The items found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Items {
    /// Which parser read the document.
    pub parsed: Parsed,
    /// Per item, one entry per asked field (in the order asked).
    pub items: Vec<Vec<Option<String>>>,
}

/// A document neither parser accepts (`lxml`'s `ParserError: Document is empty`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot parse the XML/HTML document: Document is empty")]
pub struct XmlError;

impl From<XmlError> for crate::error::Error {
    fn from(e: XmlError) -> Self {
        crate::error::Error::bad_data(e)
    }
}

/// The `item` elements and their `fields`' texts (see the module docs).
pub fn items(data: &[u8], item: &str, fields: &[&str]) -> Result<Items, XmlError> {
    if let Some(text) = xml_text(data)
        && let Ok(doc) = roxmltree::Document::parse(&text)
    {
        let items = doc
            .descendants()
            .filter(|n| {
                n.is_element() && n.tag_name().name() == item && n.tag_name().namespace().is_none()
            })
            .map(|n| {
                let mut values = vec![None; fields.len()];
                for child in n.children().filter(roxmltree::Node::is_element) {
                    if child.tag_name().namespace().is_some() {
                        continue;
                    }
                    if let Some(at) = fields.iter().position(|f| *f == child.tag_name().name()) {
                        values[at] = child
                            .first_child()
                            .filter(roxmltree::Node::is_text)
                            .and_then(|t| t.text())
                            .filter(|t| !t.is_empty())
                            .map(str::to_owned);
                    }
                }
                values
            })
            .collect();
        return Ok(Items {
            parsed: Parsed::Xml,
            items,
        });
    }
    html_items(data, item, fields)
}

/// The document as text for the XML parser, per its declared encoding.
fn xml_text(data: &[u8]) -> Option<String> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    if let Ok(text) = std::str::from_utf8(data) {
        return Some(text.to_owned());
    }
    let head = String::from_utf8_lossy(&data[..data.len().min(200)]).to_ascii_lowercase();
    let latin1 = head.starts_with("<?xml")
        && (head.contains("iso-8859-1") || head.contains("latin-1") || head.contains("latin1"));
    latin1.then(|| data.iter().map(|&b| b as char).collect())
}

const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// A node of the fallback's tree.
enum Node {
    Element(String, Vec<usize>),
    Text(String),
    Comment,
}

fn html_items(data: &[u8], item: &str, fields: &[&str]) -> Result<Items, XmlError> {
    let text = String::from_utf8_lossy(data);
    if text.trim().is_empty() {
        return Err(XmlError);
    }
    let nodes = html_tree(&text);
    let item = item.to_ascii_lowercase();
    let mut items = Vec::new();
    // document order: the arena is in creation order, which is document order
    for node in &nodes {
        let Node::Element(name, children) = node else {
            continue;
        };
        if *name != item {
            continue;
        }
        let mut values = vec![None; fields.len()];
        for &child in children {
            let Node::Element(child_name, grandchildren) = &nodes[child] else {
                continue;
            };
            if let Some(at) = fields.iter().position(|f| f == child_name) {
                values[at] = match grandchildren.first().map(|&g| &nodes[g]) {
                    Some(Node::Text(t)) if !t.is_empty() => Some(t.clone()),
                    _ => None,
                };
            }
        }
        items.push(values);
    }
    Ok(Items {
        parsed: Parsed::Html,
        items,
    })
}

/// The fallback's tree of `text`, node 0 the document: elements, text and comments as
/// a lenient HTML parser sees them.
fn html_tree(text: &str) -> Vec<Node> {
    let mut tree = HtmlTree::new();
    let mut rest = text;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            tree.pending.push_str(rest);
            break;
        };
        tree.pending.push_str(&rest[..lt]);
        rest = tree.markup(&rest[lt..]);
    }
    tree.flush();
    tree.nodes
}

/// The tree [`html_tree`] builds while it reads.
struct HtmlTree {
    /// The nodes so far, node 0 the document.
    nodes: Vec<Node>,
    /// The open elements, innermost last.
    stack: Vec<usize>,
    /// Text read but not yet added as a node.
    pending: String,
}

impl HtmlTree {
    /// A tree holding only the document.
    fn new() -> Self {
        HtmlTree {
            nodes: vec![Node::Element("#document".to_owned(), Vec::new())],
            stack: vec![0],
            pending: String::new(),
        }
    }

    /// Adds `node` as the last child of the innermost open element; its id.
    fn add(&mut self, node: Node) -> usize {
        let id = self.nodes.len();
        self.nodes.push(node);
        if let Some(&parent) = self.stack.last()
            && let Node::Element(_, children) = &mut self.nodes[parent]
        {
            children.push(id);
        }
        id
    }

    /// Adds the pending text, entities decoded, as a text node (if there is any).
    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let t = decode_entities(&self.pending);
            self.add(Node::Text(t));
            self.pending.clear();
        }
    }

    /// Reads the markup `rest` starts with (at a `<`); what follows it.
    fn markup<'t>(&mut self, rest: &'t str) -> &'t str {
        if let Some(after) = rest.strip_prefix("<!--") {
            self.flush();
            self.add(Node::Comment);
            after.find("-->").map_or("", |e| &after[e + 3..])
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            self.flush();
            self.add(Node::Comment);
            after.find("]]>").map_or("", |e| &after[e + 3..])
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            self.flush();
            rest.find('>').map_or("", |e| &rest[e + 1..])
        } else if let Some(after) = rest.strip_prefix("</") {
            self.end_tag(after)
        } else {
            self.start_tag(rest)
        }
    }

    /// Reads an end tag (`after` follows its `</`), closing the innermost open element
    /// of its name and those inside it; a `</` not starting a tag is text.
    fn end_tag<'t>(&mut self, after: &'t str) -> &'t str {
        let name = tag_name(after);
        if name.is_empty() {
            self.pending.push_str("</");
            return after;
        }
        self.flush();
        if let Some(at) = self
            .stack
            .iter()
            .rposition(|&id| matches!(&self.nodes[id], Node::Element(n, _) if *n == name))
            && at > 0
        {
            self.stack.truncate(at);
        }
        after.find('>').map_or("", |e| &after[e + 1..])
    }

    /// Reads a start tag (`rest` starts with its `<`), opening its element unless it is
    /// self-closing or void; `<title>` takes raw text. A `<` not starting a tag is text.
    fn start_tag<'t>(&mut self, rest: &'t str) -> &'t str {
        let name = tag_name(&rest[1..]);
        if name.is_empty() {
            self.pending.push('<');
            return &rest[1..];
        }
        self.flush();
        let id = self.add(Node::Element(name.clone(), Vec::new()));
        let end = rest.find('>');
        let self_closing = end.is_some_and(|e| rest[..e].ends_with('/'));
        let rest = end.map_or("", |e| &rest[e + 1..]);
        if self_closing {
            // `<title/>`: an empty element
            rest
        } else if name == "title" {
            self.title_text(id, rest)
        } else {
            if !VOID.contains(&name.as_str()) {
                self.stack.push(id);
            }
            rest
        }
    }

    /// Reads the raw text of the `<title>` element `id` up to `</title` (the text node
    /// added when not empty) and its end tag; what follows.
    fn title_text<'t>(&mut self, id: usize, rest: &'t str) -> &'t str {
        let lower = rest.to_ascii_lowercase();
        let end = lower.find("</title").unwrap_or(rest.len());
        if end > 0 {
            self.stack.push(id);
            self.add(Node::Text(decode_entities(&rest[..end])));
            self.stack.pop();
        }
        let rest = &rest[end..];
        if rest.is_empty() {
            rest
        } else {
            rest.find('>').map_or("", |e| &rest[e + 1..])
        }
    }
}

/// A tag's name, lower-cased (empty when `<` does not start a tag).
fn tag_name(s: &str) -> String {
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return String::new();
    }
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-' | '.'))
        .collect::<String>()
        .to_ascii_lowercase()
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
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
