//! Python's tokenizer, for the expressions `ast.literal_eval` may be given: names,
//! numbers, string/bytes literals (all prefixes and quote forms, escapes decoded),
//! operators, bracket matching, comments and line continuations.

use super::syntax_error;
use crate::convert::ConvertError;

/// An integer literal: its value, or its text when it does not fit in an `i128`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum IntLit {
    Small(i128),
    Big(String),
}

/// The decoded body of a string-like literal.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum StrBody {
    Str(String),
    Bytes(Vec<u8>),
    /// An f-string (its value does not matter: `literal_eval` rejects it).
    FString,
}

/// A token kind.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Name(String),
    Int(IntLit),
    Float(f64),
    Imag(f64),
    Str(StrBody),
    Op(&'static str),
    Newline,
    /// A logical line that starts indented (never valid in `eval` input).
    Indent,
    Eof,
    /// The tokenizer stopped here (always the last token).
    Error(LexError),
}

/// A tokenizer error and how Python's parser surfaces it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LexError {
    pub error: ConvertError,
    pub kind: LexErrorKind,
}

/// See [`LexError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LexErrorKind {
    /// Raised as soon as the tokenizer meets it, so Python reports it even when the
    /// parser fails earlier (CPython re-tokenizes the whole source after a generic
    /// syntax error).
    Raised,
    /// Reported only when the parser reaches it (a bad line continuation).
    Quiet,
    /// End of input inside brackets: the line of the innermost unclosed one.
    NeverClosed(usize),
}

impl From<ConvertError> for LexError {
    fn from(error: ConvertError) -> Self {
        LexError {
            error,
            kind: LexErrorKind::Raised,
        }
    }
}

/// A token and the (1-based) line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub tok: Tok,
    pub line: usize,
}

const OPERATORS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "<<", ">>", "<=", ">=", "==", "!=",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "(", ")", "[", "]", "{", "}", ",", ":",
    ".", ";", "+", "-", "*", "/", "%", "@", "&", "|", "^", "~", "<", ">", "=",
];

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    line: usize,
    brackets: Vec<(char, usize)>,
    tokens: Vec<Token>,
    /// At the start of a logical line (only whitespace seen so far on it).
    line_start: bool,
    /// Whitespace was seen at the start of the current logical line.
    indented: bool,
}

/// Splits Python source into tokens, ending with [`Tok::Eof`] or, when the tokenizer
/// fails, with [`Tok::Error`].
pub(super) fn tokenize(src: &str) -> Vec<Token> {
    let mut lx = Lexer {
        chars: src.chars().collect(),
        pos: 0,
        line: 1,
        brackets: Vec::new(),
        tokens: Vec::new(),
        line_start: true,
        indented: false,
    };
    if let Err(e) = lx.run() {
        let line = lx.line;
        lx.push(Tok::Error(e), line);
    }
    lx.tokens
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn push(&mut self, tok: Tok, line: usize) {
        self.tokens.push(Token { tok, line });
    }

    fn run(&mut self) -> Result<(), LexError> {
        while let Some(c) = self.peek(0) {
            let starts_token = !matches!(c, ' ' | '\t' | '\x0c' | '#' | '\r' | '\n' | '\\');
            if starts_token && self.line_start {
                self.line_start = false;
                if self.indented && self.brackets.is_empty() {
                    self.push(Tok::Indent, self.line);
                }
            }
            match c {
                ' ' | '\t' | '\x0c' => {
                    self.indented |= self.line_start;
                    self.pos += 1;
                }
                '#' => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                '\r' | '\n' => {
                    self.pos += 1;
                    if c == '\r' && self.peek(0) == Some('\n') {
                        self.pos += 1;
                    }
                    let at_top = self.brackets.is_empty();
                    let after_token = self.tokens.last().is_some_and(|t| t.tok != Tok::Newline);
                    if at_top && after_token {
                        self.push(Tok::Newline, self.line);
                    }
                    if at_top {
                        self.line_start = true;
                        self.indented = false;
                    }
                    self.line += 1;
                }
                '\\' => {
                    if self.peek(1) == Some('\n') {
                        self.pos += 2;
                        self.line += 1;
                    } else {
                        return Err(LexError {
                            error: syntax_error(
                                "unexpected character after line continuation character",
                                self.line,
                            ),
                            kind: LexErrorKind::Quiet,
                        });
                    }
                }
                '0'..='9' => self.number()?,
                '.' if self.peek(1).is_some_and(|d| d.is_ascii_digit()) => self.number()?,
                '\'' | '"' => self.string("")?,
                c if c == '_' || c.is_alphabetic() => self.name_or_string()?,
                _ => self.operator()?,
            }
        }
        if let Some(&(open, line)) = self.brackets.last() {
            return Err(LexError {
                error: syntax_error(&format!("'{open}' was never closed"), line),
                kind: LexErrorKind::NeverClosed(line),
            });
        }
        if self.tokens.last().is_some_and(|t| t.tok != Tok::Newline) {
            self.push(Tok::Newline, self.line);
        }
        self.push(Tok::Eof, self.line);
        Ok(())
    }

    fn operator(&mut self) -> Result<(), ConvertError> {
        let line = self.line;
        let rest: String = self.chars[self.pos..].iter().take(3).collect();
        let Some(op) = OPERATORS.iter().find(|op| rest.starts_with(**op)) else {
            let c = self.chars[self.pos];
            let msg = if c.is_ascii() {
                "invalid syntax".to_owned()
            } else {
                format!("invalid character '{c}' (U+{:04X})", c as u32)
            };
            return Err(syntax_error(&msg, line));
        };
        self.pos += op.chars().count();
        match *op {
            "(" | "[" | "{" => self.brackets.push((op.chars().next().unwrap_or('('), line)),
            ")" | "]" | "}" => {
                let close = op.chars().next().unwrap_or(')');
                let Some((open, open_line)) = self.brackets.pop() else {
                    return Err(syntax_error(&format!("unmatched '{close}'"), line));
                };
                let expected = match open {
                    '(' => ')',
                    '[' => ']',
                    _ => '}',
                };
                if close != expected {
                    let mut msg = format!(
                        "closing parenthesis '{close}' does not match opening parenthesis '{open}'"
                    );
                    if open_line != line {
                        msg.push_str(&format!(" on line {open_line}"));
                    }
                    return Err(syntax_error(&msg, line));
                }
            }
            _ => {}
        }
        self.push(Tok::Op(op), line);
        Ok(())
    }

    fn name_or_string(&mut self) -> Result<(), ConvertError> {
        let start = self.pos;
        while self
            .peek(0)
            .is_some_and(|c| c == '_' || c.is_alphanumeric())
        {
            self.pos += 1;
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        let is_prefix = matches!(
            name.to_ascii_lowercase().as_str(),
            "r" | "u" | "b" | "br" | "rb" | "f" | "fr" | "rf"
        );
        if is_prefix && matches!(self.peek(0), Some('\'' | '"')) {
            return self.string(&name.to_ascii_lowercase());
        }
        self.push(Tok::Name(name), self.line);
        Ok(())
    }

    /// A number literal: a prefixed integer, or a decimal integer, float or imaginary
    /// number (read in parts, checked, then pushed as its token).
    fn number(&mut self) -> Result<(), ConvertError> {
        if let Some((radix, what)) = self.radix_prefix() {
            return self.prefixed_int(radix, what);
        }
        let line = self.line;
        let start = self.pos;
        let parts = self.decimal_parts(line)?;
        self.check_decimal_end(&parts, line)?;
        self.push_decimal(parts, start, line)
    }

    /// The radix of a `0x`/`0o`/`0b` prefix at the current position, and its name in
    /// errors.
    fn radix_prefix(&self) -> Option<(u32, &'static str)> {
        if self.peek(0) != Some('0') {
            return None;
        }
        match self.peek(1) {
            Some('x' | 'X') => Some((16, "hexadecimal")),
            Some('o' | 'O') => Some((8, "octal")),
            Some('b' | 'B') => Some((2, "binary")),
            _ => None,
        }
    }

    /// Reads a decimal number's parts: integer digits, fraction, exponent, `j` suffix.
    fn decimal_parts(&mut self, line: usize) -> Result<DecimalParts, ConvertError> {
        let invalid = |what: &str| syntax_error(&format!("invalid {what} literal"), line);
        let int_part = if self.peek(0) == Some('.') {
            String::new()
        } else {
            self.digit_run(10, false)
                .ok_or_else(|| invalid("decimal"))?
        };
        let mut is_float = false;
        let mut frac = String::new();
        if self.peek(0) == Some('.') {
            is_float = true;
            self.pos += 1;
            if self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                frac = self
                    .digit_run(10, false)
                    .ok_or_else(|| invalid("decimal"))?;
            }
        }
        let exp = self.exponent(line)?;
        is_float |= !exp.is_empty();
        let imaginary = matches!(self.peek(0), Some('j' | 'J'));
        if imaginary {
            self.pos += 1;
            if self.name_char_follows() {
                return Err(invalid("imaginary"));
            }
        }
        Ok(DecimalParts {
            int_part,
            frac,
            exp,
            is_float,
            imaginary,
        })
    }

    /// What Python refuses after reading a decimal number: leading zeros in an integer,
    /// a letter, digit or `_` right after it.
    fn check_decimal_end(&self, parts: &DecimalParts, line: usize) -> Result<(), ConvertError> {
        let int_part = &parts.int_part;
        let leading_zeros =
            int_part.len() > 1 && int_part.starts_with('0') && int_part.bytes().any(|b| b != b'0');
        if leading_zeros && !parts.is_float && !parts.imaginary {
            return Err(syntax_error(
                "leading zeros in decimal integer literals are not permitted; use an 0o prefix \
                 for octal integers",
                line,
            ));
        }
        if self.name_char_follows() {
            return Err(syntax_error("invalid decimal literal", line));
        }
        Ok(())
    }

    /// Pushes the token of a decimal number read from `start`.
    fn push_decimal(
        &mut self,
        parts: DecimalParts,
        start: usize,
        line: usize,
    ) -> Result<(), ConvertError> {
        if parts.imaginary || parts.is_float {
            let or_zero = |digits: &str| if digits.is_empty() { "0" } else { digits }.to_owned();
            let float_text = format!(
                "{}.{}e{}",
                or_zero(&parts.int_part),
                or_zero(&parts.frac),
                or_zero(&parts.exp)
            );
            let value: f64 = float_text
                .parse()
                .map_err(|_| syntax_error("invalid decimal literal", line))?;
            let tok = if parts.imaginary {
                Tok::Imag(value)
            } else {
                Tok::Float(value)
            };
            self.push(tok, line);
            return Ok(());
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        self.push(Tok::Int(int_value(&parts.int_part, 10, text)), line);
        Ok(())
    }

    /// Whether a character that continues a name (a letter, digit or `_`) is next.
    fn name_char_follows(&self) -> bool {
        self.peek(0)
            .is_some_and(|c| c == '_' || c.is_alphanumeric())
    }

    /// `0x…`, `0o…`, `0b…`: an integer of `radix` (`what` names it in errors).
    fn prefixed_int(&mut self, radix: u32, what: &str) -> Result<(), ConvertError> {
        let line = self.line;
        let start = self.pos;
        let invalid = || syntax_error(&format!("invalid {what} literal"), line);
        self.pos += 2;
        let digits = self.digit_run(radix, true);
        if let Some(c) = self.peek(0).filter(|c| c.is_ascii_digit()) {
            return Err(syntax_error(
                &format!("invalid digit '{c}' in {what} literal"),
                line,
            ));
        }
        let digits = digits.ok_or_else(invalid)?;
        if self
            .peek(0)
            .is_some_and(|c| c == '_' || c.is_alphanumeric())
        {
            return Err(invalid());
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        self.push(Tok::Int(int_value(&digits, radix, text)), line);
        Ok(())
    }

    /// A float's exponent (`e5`, `E-3`), its sign and digits without the `e`; empty when
    /// there is none.
    fn exponent(&mut self, line: usize) -> Result<String, ConvertError> {
        let invalid = || syntax_error("invalid decimal literal", line);
        let mut exp = String::new();
        if !matches!(self.peek(0), Some('e' | 'E')) {
            return Ok(exp);
        }
        let sign = matches!(self.peek(1), Some('+' | '-'));
        let digit_at = if sign { 2 } else { 1 };
        if !self.peek(digit_at).is_some_and(|c| c.is_ascii_digit()) {
            return Err(invalid());
        }
        if sign {
            exp.push(self.chars[self.pos + 1]);
        }
        self.pos += digit_at;
        exp.push_str(&self.digit_run(10, false).ok_or_else(invalid)?);
        Ok(exp)
    }

    /// Digits of `radix` with single `_` between them (after a radix prefix a leading `_`
    /// is allowed too); the digits without underscores, or `None` when malformed.
    fn digit_run(&mut self, radix: u32, after_prefix: bool) -> Option<String> {
        let mut out = String::new();
        let mut last_underscore = after_prefix;
        if after_prefix && self.peek(0) == Some('_') {
            self.pos += 1;
        } else {
            last_underscore = false;
        }
        while let Some(c) = self.peek(0) {
            if c.is_digit(radix) {
                out.push(c);
                last_underscore = false;
            } else if c == '_' && !last_underscore && !out.is_empty() {
                last_underscore = true;
            } else {
                break;
            }
            self.pos += 1;
        }
        (!out.is_empty() && !last_underscore).then_some(out)
    }

    fn string(&mut self, prefix: &str) -> Result<(), ConvertError> {
        let line = self.line;
        let quote = self.chars[self.pos];
        let triple = self.peek(1) == Some(quote) && self.peek(2) == Some(quote);
        self.pos += if triple { 3 } else { 1 };
        let mut body = String::new();
        loop {
            let Some(c) = self.peek(0) else {
                let what = if triple {
                    "unterminated triple-quoted"
                } else {
                    "unterminated"
                };
                return Err(syntax_error(
                    &format!("{what} string literal (detected at line {})", self.line),
                    line,
                ));
            };
            if c == quote
                && (!triple || (self.peek(1) == Some(quote) && self.peek(2) == Some(quote)))
            {
                self.pos += if triple { 3 } else { 1 };
                break;
            }
            if c == '\n' {
                if !triple {
                    return Err(syntax_error(
                        &format!(
                            "unterminated string literal (detected at line {})",
                            self.line
                        ),
                        line,
                    ));
                }
                self.line += 1;
            }
            body.push(c);
            self.pos += 1;
            if c == '\\'
                && let Some(next) = self.peek(0)
            {
                if next == '\n' {
                    self.line += 1;
                }
                body.push(next);
                self.pos += 1;
            }
        }
        let raw = prefix.contains('r');
        let value = if prefix.contains('f') {
            StrBody::FString
        } else if prefix.contains('b') {
            if !body.is_ascii() {
                return Err(syntax_error(
                    "bytes can only contain ASCII literal characters",
                    line,
                ));
            }
            StrBody::Bytes(if raw {
                body.into_bytes()
            } else {
                decode_bytes(&body, line)?
            })
        } else {
            StrBody::Str(if raw { body } else { decode_str(&body, line)? })
        };
        self.push(Tok::Str(value), line);
        Ok(())
    }
}

/// A decimal number literal as read: digits without underscores.
struct DecimalParts {
    /// The digits before the point (empty for `.5`).
    int_part: String,
    /// The digits after the point.
    frac: String,
    /// The exponent's sign and digits, without the `e`.
    exp: String,
    /// Whether it has a point or an exponent.
    is_float: bool,
    /// Whether it ends in `j`.
    imaginary: bool,
}

fn int_value(digits: &str, radix: u32, text: String) -> IntLit {
    match i128::from_str_radix(digits, radix) {
        Ok(v) => IntLit::Small(v),
        Err(_) => IntLit::Big(text),
    }
}

/// An escape shared by `str` and `bytes` literals: `\<newline>`, `\\`, quotes, the
/// C-like letters and octal; `None` for others.
fn common_escape(
    c: char,
    it: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Option<Option<u32>> {
    let code = match c {
        '\n' => return Some(None),
        '\\' => 0x5c,
        '\'' => 0x27,
        '"' => 0x22,
        'a' => 0x07,
        'b' => 0x08,
        'f' => 0x0c,
        'n' => 0x0a,
        'r' => 0x0d,
        't' => 0x09,
        'v' => 0x0b,
        '0'..='7' => {
            let mut value = c as u32 - '0' as u32;
            for _ in 0..2 {
                match it.peek() {
                    Some(&(_, d @ '0'..='7')) => {
                        value = value * 8 + (d as u32 - '0' as u32);
                        it.next();
                    }
                    _ => break,
                }
            }
            value
        }
        _ => return None,
    };
    Some(Some(code))
}

/// Reads exactly `n` hex digits.
fn hex_digits(it: &mut std::iter::Peekable<std::str::CharIndices<'_>>, n: usize) -> Option<u32> {
    let mut value = 0u32;
    for _ in 0..n {
        let &(_, c) = it.peek()?;
        value = value * 16 + c.to_digit(16)?;
        it.next();
    }
    Some(value)
}

/// Decodes the escapes of a non-raw `str` literal body.
fn decode_str(body: &str, line: usize) -> Result<String, ConvertError> {
    let mut out = String::with_capacity(body.len());
    let mut it = body.char_indices().peekable();
    let mut pos = 0usize; // position in characters, as in Python's messages
    while let Some((_, c)) = it.next() {
        let start = pos;
        pos += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = it.next() else {
            out.push('\\');
            break;
        };
        pos += 1;
        let before = it.clone().count();
        let unicode_error = |end: usize, what: &str| {
            syntax_error(
                &format!(
                    "(unicode error) 'unicodeescape' codec can't decode bytes in position \
                     {start}-{end}: {what}"
                ),
                line,
            )
        };
        if let Some(code) = common_escape(e, &mut it) {
            pos += before - it.clone().count();
            if let Some(code) = code {
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            continue;
        }
        let (n, what) = match e {
            'x' => (2, "truncated \\xXX escape"),
            'u' => (4, "truncated \\uXXXX escape"),
            'U' => (8, "truncated \\UXXXXXXXX escape"),
            'N' => {
                let named =
                    it.peek().is_some_and(|&(_, c)| c == '{') && it.clone().any(|(_, c)| c == '}');
                let what = if named {
                    "\\N{...} escapes are not supported here"
                } else {
                    "malformed \\N character escape"
                };
                return Err(unicode_error(start + 1, what));
            }
            other => {
                out.push('\\');
                out.push(other);
                continue;
            }
        };
        let Some(code) = hex_digits(&mut it, n) else {
            let consumed = before - it.clone().count();
            return Err(unicode_error(start + 1 + consumed, what));
        };
        pos += n;
        match char::from_u32(code) {
            Some(ch) => out.push(ch),
            None if (0xd800..=0xdfff).contains(&code) => {
                return Err(syntax_error(
                    &format!("lone surrogate \\u{code:04x} in a string literal is not supported"),
                    line,
                ));
            }
            None => return Err(unicode_error(start + 1 + n, "illegal Unicode character")),
        }
    }
    Ok(out)
}

/// Decodes the escapes of a non-raw `bytes` literal body (ASCII only).
fn decode_bytes(body: &str, line: usize) -> Result<Vec<u8>, ConvertError> {
    let mut out = Vec::with_capacity(body.len());
    let mut it = body.char_indices().peekable();
    while let Some((start, c)) = it.next() {
        if c != '\\' {
            out.push(c as u8);
            continue;
        }
        let Some((_, e)) = it.next() else {
            out.push(b'\\');
            break;
        };
        if let Some(code) = common_escape(e, &mut it) {
            if let Some(code) = code {
                out.push((code & 0xff) as u8);
            }
            continue;
        }
        if e == 'x' {
            let code = hex_digits(&mut it, 2).ok_or_else(|| {
                syntax_error(
                    &format!("(value error) invalid \\x escape at position {start}"),
                    line,
                )
            })?;
            out.push(code as u8);
        } else {
            out.push(b'\\');
            out.push(e as u8);
        }
    }
    Ok(out)
}
