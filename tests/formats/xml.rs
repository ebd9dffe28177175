//! `helpers::xml::items` against what n6's Zone-H code (`etree.fromstring`, on
//! `XMLSyntaxError` `lxml.html.fromstring`; `//item`; the children's `.text`) gave
//! with lxml 6.1 for each document below, and on n6's recorded Zone-H case.

use n6_collectors::helpers::pyjson::{self, PyJson};
use n6_collectors::helpers::xml::{Parsed, XmlError, items};

const FIELDS: [&str; 3] = ["title", "description", "pubDate"];

type Case = (&'static [u8], Parsed, &'static [[Option<&'static str>; 3]]);

const LXML: &[Case] = &[
    (b"<rss><channel><item><title><![CDATA[http://e1.com]]></title><description>d &amp; x<b>bold</b>tail</description><pubDate>Tue</pubDate></item><item><title/></item></channel></rss>", Parsed::Xml, &[[Some("http://e1.com"), Some("d & x"), Some("Tue")], [None, None, None]]),
    (b"<rss>&nbsp;<channel><item><title><![CDATA[http://e1.com]]></title><description>d &amp; x<b>bold</b>tail</description><pubDate>Tue</pubDate></item><item><title/></item></channel></rss>", Parsed::Html, &[[Some("<![CDATA[http://e1.com]]>"), Some("d & x"), None], [None, None, None]]),
    (b"<rss><channel><item><title>A & B</title><description><![CDATA[<p>x</p>]]></description><pubDate>Tue, 10 Jan</pubDate><link>http://l</link></item><item><title>T2<description>D2</item></rss>", Parsed::Html, &[[Some("A & B"), None, None], [Some("T2<description>D2</item></rss>"), None, None]]),
    (b"<html><body><item><title>x</title></item></body></html>", Parsed::Xml, &[[Some("x"), None, None]]),
    (b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><item><title>\xb1</title></item></rss>", Parsed::Xml, &[[Some("±"), None, None]]),
    (b"<rss xmlns=\"http://x\"><item><title>ns</title></item></rss>", Parsed::Xml, &[]),
    (b"just text", Parsed::Html, &[]),
    (b"<rss><item><title>one</title><title>two</title><description><!-- c -->after</description></item>\n<item>\n<description>D &#261; &#x105;</description></item><item><title>t</title><description>unclosed & <i>i</i></item></rss", Parsed::Html, &[[Some("two"), None, None], [None, Some("D ą ą"), None], [Some("t"), Some("unclosed & "), None]]),
    (b"<RSS><ITEM><TITLE>Up</TITLE><Description>Mixed</Description></ITEM></RSS><br>", Parsed::Html, &[[Some("Up"), Some("Mixed"), None]]),
];

#[test]
fn items_as_n6s_lxml_code_finds_them() {
    for (doc, parsed, expected) in LXML {
        let found = items(doc, "item", &FIELDS).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found.parsed, *parsed, "{}", String::from_utf8_lossy(doc));
        let expected: Vec<Vec<Option<String>>> = expected
            .iter()
            .map(|item| item.iter().map(|v| v.map(str::to_owned)).collect())
            .collect();
        assert_eq!(found.items, expected, "{}", String::from_utf8_lossy(doc));
    }
    assert_eq!(items(b"  ", "item", &FIELDS), Err(XmlError));
}

#[test]
fn zone_h_recorded_case_gives_n6s_body() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pyjson");
    let expected = std::fs::read_to_string(dir.join("ZonehRssCollector-003-0.json")).expect("body");
    let feed = b"<rss version=\"2.0\"><channel><title>Zone-H.org Special Defacements</title><item><title><![CDATA[http://example1.com]]></title><link><![CDATA[http://www.zone-h.org/mirror/id/...]]></link><description><![CDATA[http://example1.com notified by ABCD]]></description><pubDate>Tue, 10 Jan 2023 12:00:00 +0000</pubDate></item><item><title><![CDATA[http://example2.com]]></title><description><![CDATA[http://example2.com notified by ABCD]]></description><pubDate>Tue, 10 Jan 2023 13:00:00 +0000</pubDate></item></channel></rss>";
    let found = items(feed, "item", &FIELDS).expect("rss");
    let body = PyJson::from(
        found
            .items
            .into_iter()
            .map(PyJson::from)
            .collect::<Vec<_>>(),
    );
    assert_eq!(pyjson::dumps(&body), expected);
}
