//! The n6 config-spec language (n6-contract §2.1–2.6), parsed into a [`Spec`].
//!
//! ```text
//! [section]              ; optional; options before any header go to the main section
//! name = default :: conv ; optional option with a default
//! name :: conv           ; required option
//! name = :: conv         ; optional option, empty default
//! ... :: conv            ; free (undeclared) options allowed
//! ```

/// A parsed config spec: sections in spec order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spec {
    /// The sections, in the order they appear in the spec.
    pub sections: Vec<SectionSpec>,
}

/// One section of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSpec {
    /// The section name (case-sensitive).
    pub name: String,
    /// 1-based line of the header in the spec text (0 for the implicit main section).
    pub line: usize,
    /// Declared options, in spec order.
    pub options: Vec<OptionSpec>,
    /// `Some` when `...` allows free options.
    pub free_options: Option<FreeOptionsSpec>,
}

/// The `... :: conv` line of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeOptionsSpec {
    /// Converter name for free options (`str` when not given).
    pub converter: String,
    /// 1-based line in the spec text.
    pub line: usize,
}

/// One declared option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionSpec {
    /// Option name, lower-cased.
    pub name: String,
    /// The raw default (`None` = required option).
    pub default: Option<String>,
    /// The converter name (`str` when not given).
    pub converter: String,
    /// 1-based line in the spec text.
    pub line: usize,
}

/// A problem found in a spec; `line` is 1-based (0 when it concerns the whole spec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// 1-based line in the spec text (0 = the whole spec).
    pub line: usize,
    /// What is wrong, in n6's words where n6 has words for it.
    pub message: String,
}
