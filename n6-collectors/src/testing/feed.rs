//! What a collector under test reads, put in place inside a [`Site`].

use std::path::PathBuf;

use super::{Site, TestingError};

/// An input of a test run: installs itself inside the site and says, as command-line
/// arguments, where the collector finds it (typically `--n6config-override` items).
///
/// Implement it for inputs of other kinds: a recorded HTTP exchange served on
/// 127.0.0.1, a case recorded from n6's own tests.
pub trait Feed {
    /// Puts the input in place inside `site`; returns the `--n6config-override` items
    /// (`SECTION.OPTION=VALUE`) that point the collector at it.
    fn install(&self, site: &Site) -> Result<Vec<String>, TestingError>;
}

/// How a [`FileFeed`] is named in the option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reference {
    /// The file's path.
    Path,
    /// A `file://` URL of the file.
    FileUrl,
}

/// A file written into the site, named by one config option.
#[derive(Debug, Clone)]
pub struct FileFeed {
    section: String,
    option: String,
    name: String,
    bytes: Vec<u8>,
    reference: Reference,
}

impl FileFeed {
    /// `bytes` as file `name` in the site; option `section.option` gets its path.
    pub fn path(section: &str, option: &str, name: &str, bytes: impl Into<Vec<u8>>) -> FileFeed {
        FileFeed {
            section: section.to_owned(),
            option: option.to_owned(),
            name: name.to_owned(),
            bytes: bytes.into(),
            reference: Reference::Path,
        }
    }

    /// `bytes` as file `name` in the site; option `section.option` gets its `file://`
    /// URL (what the download helpers fetch).
    pub fn url(section: &str, option: &str, name: &str, bytes: impl Into<Vec<u8>>) -> FileFeed {
        FileFeed {
            reference: Reference::FileUrl,
            ..FileFeed::path(section, option, name, bytes)
        }
    }

    /// Where the file is put inside `site`.
    pub fn location(&self, site: &Site) -> PathBuf {
        site.path(&self.name)
    }
}

impl Feed for FileFeed {
    fn install(&self, site: &Site) -> Result<Vec<String>, TestingError> {
        let path = site.write(&self.name, &self.bytes)?;
        let value = match self.reference {
            Reference::Path => path.display().to_string(),
            Reference::FileUrl => format!("file://{}", path.display()),
        };
        Ok(vec![format!("{}.{}={value}", self.section, self.option)])
    }
}
