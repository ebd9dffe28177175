//! The result of [`validate`](super::validate): sections in spec order, each with its
//! converted values, which generated code moves into typed structs.

use crate::value::Value;

/// One converted option of a [`TypedSection`].
#[derive(Debug)]
pub(super) struct TypedOption {
    pub(super) name: String,
    pub(super) value: Value,
    /// An undeclared option allowed by `...`.
    pub(super) free: bool,
}

/// One validated section: the declared options in spec order, then the free options
/// sorted by name, each with its converted [`Value`].
///
/// Values can be moved out ([`TypedSection::take`], [`TypedSection::take_all`]), which is
/// how generated code fills typed structs.
#[derive(Debug)]
pub struct TypedSection {
    name: String,
    pub(super) options: Vec<TypedOption>,
}

impl TypedSection {
    pub(super) fn new(name: &str) -> Self {
        TypedSection {
            name: name.to_owned(),
            options: Vec::new(),
        }
    }

    /// The section name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of an option (declared or free) still in the section.
    pub fn get(&self, option: &str) -> Option<&Value> {
        self.options
            .iter()
            .find(|o| o.name == option)
            .map(|o| &o.value)
    }

    /// Moves an option's value out of the section.
    pub fn take(&mut self, option: &str) -> Option<Value> {
        let idx = self.options.iter().position(|o| o.name == option)?;
        Some(self.options.remove(idx).value)
    }

    /// Moves every remaining option out, in section order.
    pub fn take_all(&mut self) -> Vec<(String, Value)> {
        self.options.drain(..).map(|o| (o.name, o.value)).collect()
    }

    /// Moves the remaining free options out, sorted by name.
    pub fn take_free(&mut self) -> Vec<(String, Value)> {
        let (free, declared): (Vec<_>, Vec<_>) = self.options.drain(..).partition(|o| o.free);
        self.options = declared;
        free.into_iter().map(|o| (o.name, o.value)).collect()
    }

    /// The remaining options, in section order.
    pub fn values(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.options.iter().map(|o| (o.name.as_str(), &o.value))
    }

    /// The remaining free (undeclared, allowed by `...`) options, sorted by name.
    pub fn free_options(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.options
            .iter()
            .filter(|o| o.free)
            .map(|o| (o.name.as_str(), &o.value))
    }

    /// True when `option` is a free option of this section.
    pub fn is_free(&self, option: &str) -> bool {
        self.options.iter().any(|o| o.free && o.name == option)
    }

    /// Number of remaining options.
    pub fn len(&self) -> usize {
        self.options.len()
    }

    /// True when no options remain.
    pub fn is_empty(&self) -> bool {
        self.options.is_empty()
    }
}

/// A validated configuration: one [`TypedSection`] per spec section, in spec order
/// (sections of the config files that the spec does not name are dropped).
#[derive(Debug, Default)]
pub struct TypedConfig {
    pub(super) sections: Vec<TypedSection>,
}

impl TypedConfig {
    /// The sections, in spec order.
    pub fn sections(&self) -> impl Iterator<Item = (&str, &TypedSection)> {
        self.sections.iter().map(|s| (s.name.as_str(), s))
    }

    /// The section of the given name.
    pub fn section(&self, name: &str) -> Option<&TypedSection> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The section of the given name, mutably (to take values out).
    pub fn section_mut(&mut self, name: &str) -> Option<&mut TypedSection> {
        self.sections.iter_mut().find(|s| s.name == name)
    }

    /// Moves a section out of the config.
    pub fn take_section(&mut self, name: &str) -> Option<TypedSection> {
        let idx = self.sections.iter().position(|s| s.name == name)?;
        Some(self.sections.remove(idx))
    }

    /// Renames section `from` to `to` (a collector whose main section is named on the
    /// command line, as n6's MISP and AMQP collectors); false when there is no `from`.
    pub fn rename_section(&mut self, from: &str, to: &str) -> bool {
        match self.section_mut(from) {
            Some(section) => {
                section.name = to.to_owned();
                true
            }
            None => false,
        }
    }

    /// All sections, in spec order.
    pub fn into_sections(self) -> Vec<TypedSection> {
        self.sections
    }

    /// Number of sections.
    pub fn len(&self) -> usize {
        self.sections.len()
    }

    /// True when the spec had no sections.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }
}
