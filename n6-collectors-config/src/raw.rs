//! Raw (unconverted) configuration: what the INI layer delivers — section name → option
//! name → string value — with where each value came from, so that errors can name it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// Where a raw option value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A line of a config file (1-based line number of the option line).
    File {
        /// The config file.
        path: PathBuf,
        /// 1-based line number of the `name = value` line.
        line: usize,
    },
    /// `--n6config-override SECTION.OPTION=VALUE`.
    Override,
    /// Anything else (tests, programmatic configuration).
    Other,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line } => write!(f, "{}:{}", path.display(), line),
            Origin::Override => f.write_str("--n6config-override"),
            Origin::Other => f.write_str("<programmatic>"),
        }
    }
}

/// One raw option value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawOption {
    /// The value after n6's INI processing (interpolation, `""` → empty, ...).
    pub value: String,
    /// Where it came from.
    pub origin: Origin,
}

/// One raw section: option name → value, sorted by option name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSection {
    /// The options (names already lower-cased by the INI layer; override names verbatim).
    pub options: BTreeMap<String, RawOption>,
    /// Config files that contributed to this section (in reading order), for messages.
    pub files: Vec<PathBuf>,
}

/// The whole raw configuration (section names are case-sensitive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawConfig {
    /// Section name → section.
    pub sections: BTreeMap<String, RawSection>,
}

impl RawConfig {
    /// Sets `section.option = value` (creating the section), as from `origin`.
    pub fn set(&mut self, section: &str, option: &str, value: &str, origin: Origin) {
        let sect = self.sections.entry(section.to_owned()).or_default();
        if let Origin::File { path, .. } = &origin
            && !sect.files.contains(path)
        {
            sect.files.push(path.clone());
        }
        sect.options.insert(
            option.to_owned(),
            RawOption {
                value: value.to_owned(),
                origin,
            },
        );
    }
}
