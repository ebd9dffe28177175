//! Formats n6's collectors read and write: Python-compatible JSON, archives with n6's
//! member rules, downloads (TLS, request encoding, typed errors), Python regexes,
//! RSS/XML and dates (issue 13, points 3, 4, 5, 8).

#[path = "../support/mod.rs"]
mod support;

mod archive;
mod dates;
mod download;
mod download_http;
mod pyjson;
mod pyre;
mod xml;
