//! The identity keys of `#[collector(...)]`: `source`, `raw_type`, `content_type`,
//! `raw_format_version_tag`, `state_file`. n6 checks these when a class is defined or a
//! message is sent; here a typo fails the build instead of the first cron run.

use n6_collectors_config::identity::{self, RawType};
use syn::{Attribute, LitStr};

use crate::ast::Input;
use crate::attr::CollectorAttr;
use crate::ctxt::Ctxt;
use crate::model::Identity;

/// The checked identity; `None` when a key is missing or wrong (reported).
pub fn check_identity(input: &Input<'_>, cx: &mut Ctxt) -> Option<Identity> {
    let Some(attr) = input.collector_attr else {
        cx.error_at(
            input.ident,
            "missing `#[collector(source = \"provider.channel\", raw_type = \"stream\")]` on the struct",
        );
        return None;
    };
    if !input.collector_ok {
        return None;
    }
    let c = &input.collector;
    let source = source(c, attr, cx);
    let raw_type = raw_type(c, attr, cx);
    content_type_rules(c, attr, raw_type, cx);
    let tag = raw_format_version_tag(c, cx);
    let state_file = state_file(c, cx);
    Some(Identity {
        source: source?,
        raw_type: raw_type?,
        content_type: c.content_type.as_ref().map(LitStr::value),
        raw_format_version_tag: tag,
        state_file,
    })
}

/// `source = "provider.channel"`, as n6's `BaseCollector` validates it.
fn source(c: &CollectorAttr, attr: &Attribute, cx: &mut Ctxt) -> Option<String> {
    let Some(lit) = &c.source else {
        cx.error_at(
            attr.path(),
            "missing `source = \"provider.channel\"` in `#[collector(...)]`",
        );
        return None;
    };
    let value = lit.value();
    match identity::validate_source(&value) {
        Ok(()) => Some(value),
        Err(reason) => {
            cx.error_at(
                lit,
                format!(
                    "invalid source: {reason} (n6 wants `provider.channel`: lower-case ASCII \
                     letters, digits and `-`, exactly one `.`, at most {} characters)",
                    identity::MAX_SOURCE_LEN
                ),
            );
            None
        }
    }
}

/// `raw_type = "stream" | "file" | "blacklist"`.
fn raw_type(c: &CollectorAttr, attr: &Attribute, cx: &mut Ctxt) -> Option<RawType> {
    let Some(lit) = &c.raw_type else {
        cx.error_at(
            attr.path(),
            "missing `raw_type = \"stream\"` (or \"file\" or \"blacklist\") in `#[collector(...)]`",
        );
        return None;
    };
    let found = RawType::from_name(&lit.value());
    if found.is_none() {
        cx.error_at(
            lit,
            format!(
                "unknown raw_type {:?}: expected one of \"stream\", \"file\", \"blacklist\"",
                lit.value()
            ),
        );
    }
    found
}

/// A content type exactly with the raw types that carry one.
fn content_type_rules(
    c: &CollectorAttr,
    attr: &Attribute,
    raw_type: Option<RawType>,
    cx: &mut Ctxt,
) {
    // n6 refuses to publish a file or blacklist without a content type.
    if let (Some(t), None) = (raw_type, &c.content_type)
        && t.needs_content_type()
    {
        let message = format!(
            "raw_type = \"{t}\" needs a content type: add `content_type = \"text/csv\"` \
             (or the feed's MIME type) to `#[collector(...)]`"
        );
        match &c.raw_type {
            Some(lit) => cx.error_at(lit, message),
            None => cx.error_at(&attr.pound_token, message),
        }
    }
    // n6 sends a content type only with `file` and `blacklist` messages: on a `stream`
    // collector it would be silently dropped.
    if let (Some(RawType::Stream), Some(lit)) = (raw_type, &c.content_type) {
        cx.error_at(
            lit,
            "a `stream` collector's messages carry no content type: remove \
             `content_type = ...`, or use `raw_type = \"file\"` (or \"blacklist\")",
        );
    }
}

/// `raw_format_version_tag = "YYYYMM"`.
fn raw_format_version_tag(c: &CollectorAttr, cx: &mut Ctxt) -> Option<String> {
    let lit = c.raw_format_version_tag.as_ref()?;
    let value = lit.value();
    match identity::validate_raw_format_version_tag(&value) {
        Ok(()) => Some(value),
        Err(reason) => {
            cx.error_at(lit, reason);
            None
        }
    }
}

/// `state_file = "name"`: the file lives in `state_dir`; a path here would escape it.
fn state_file(c: &CollectorAttr, cx: &mut Ctxt) -> Option<String> {
    let lit = c.state_file.as_ref()?;
    let value = lit.value();
    if value.is_empty() || value.contains('/') || value == "." || value == ".." {
        cx.error_at(
            lit,
            "state_file must be a plain file name (it is placed in the configured `state_dir`), \
             e.g. `state_file = \"my-collector.cbor\"`",
        );
        None
    } else {
        Some(value)
    }
}
