//! The one error context of a derive run (serde's `Ctxt`): every stage pushes its
//! problems here and goes on, so one compile reports them all.

use darling::error::Accumulator;
use syn::spanned::Spanned;

/// The problems found so far.
pub struct Ctxt {
    errors: Accumulator,
}

impl Ctxt {
    /// No problems yet.
    pub fn new() -> Self {
        Ctxt {
            errors: darling::Error::accumulator(),
        }
    }

    /// A problem spanned at `at` (the attribute, key or literal at fault).
    pub fn error_at<T: Spanned>(&mut self, at: &T, message: impl std::fmt::Display) {
        self.errors
            .push(darling::Error::custom(message).with_span(at));
    }

    /// The value, or `None` with its error recorded.
    pub fn handle<T>(&mut self, result: darling::Result<T>) -> Option<T> {
        self.errors.handle(result)
    }

    /// Every problem, or `None` when there was none.
    pub fn finish(self) -> Option<darling::Error> {
        self.errors.finish().err()
    }
}
