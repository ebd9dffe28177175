//! Conditional requests (RFC 9110 §13): the validators of a response (`ETag`,
//! `Last-Modified`) sent back as `If-None-Match` / `If-Modified-Since`, so that a source
//! answers `304 Not Modified` when nothing changed.
//!
//! This is the request side only: keeping the validators of each URL across runs (and
//! only once what a download produced was confirmed) is the caller's job.

/// The validators of one response, as the server sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`, verbatim (quotes and `W/` included).
    pub etag: Option<String>,
    /// `Last-Modified`, verbatim.
    pub last_modified: Option<String>,
}

impl Validators {
    /// Neither an `ETag` nor a `Last-Modified`.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    /// The conditional request headers they make.
    pub(super) fn request_headers(&self) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        if let Some(etag) = &self.etag {
            headers.push(("If-None-Match".to_owned(), etag.clone()));
        }
        if let Some(last_modified) = &self.last_modified {
            headers.push(("If-Modified-Since".to_owned(), last_modified.clone()));
        }
        headers
    }
}
