//! Python literals: n6's `py` converter is `ast.literal_eval` (their `repr()` is in
//! [`crate::py::repr`]).
//!
//! [`literal_eval`] accepts what `ast.literal_eval` accepts: `None`, `True`, `False`,
//! numbers (ints with `_` and `0x`/`0o`/`0b` prefixes, floats, imaginary numbers, a
//! unary `+`/`-`, and `real ± imaginary` sums), `str` and `bytes` literals (every quote
//! form and prefix, escapes, adjacent literals concatenated), tuples, lists, sets
//! (including `set()`) and dicts, with comments and line continuations. Other valid Python
//! is rejected with `ValueError: malformed node or string on line N: <ast.Name object>`
//! (n6 prints the object's address too), invalid Python with `SyntaxError: ...
//! (<unknown>, line N)`.
//!
//! Syntax errors follow CPython 3.11 (tokenizer errors, `'(' was never closed`,
//! `unexpected indent`, `Perhaps you forgot a comma?`, ...); on random malformed input
//! about 0.3% of the messages still differ, where CPython's parser looks further ahead.
//!
//! Differences from Python: integers must fit in 64 bits; `...` (Ellipsis), `\N{...}`
//! escapes and lone surrogates (`'\ud800'`) are rejected; sets and dicts keep the order
//! in which items were written (Python orders sets by hash); f-string errors are not
//! diagnosed (any f-string is a `JoinedStr` node).

mod eval;
mod lexer;
mod parser;

use crate::convert::ConvertError;
use crate::py::PyValue;

/// Python `ast.literal_eval(text)` for a `str` argument (which Python first strips of
/// leading spaces and tabs).
pub fn literal_eval(text: &str) -> Result<PyValue, ConvertError> {
    let source = text.trim_start_matches([' ', '\t']);
    let tokens = lexer::tokenize(source);
    let node = parser::parse_eval(&tokens, source.is_empty())?;
    eval::convert(&node)
}

/// A `SyntaxError` as `ast.parse` reports it for a string.
fn syntax_error(message: &str, line: usize) -> ConvertError {
    ConvertError::new("SyntaxError", format!("{message} (<unknown>, line {line})"))
}

#[cfg(test)]
mod tests;
