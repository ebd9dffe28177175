//! A parser for Python expressions (eval mode), producing the few AST node kinds that
//! `ast.literal_eval` distinguishes; every other valid construct becomes
//! [`Node::Other`] with its `ast` class name, so that `literal_eval` can reject it with
//! Python's message.

use std::cell::Cell;

use super::lexer::{IntLit, LexError, LexErrorKind, StrBody, Tok, Token};
use super::syntax_error;
use crate::convert::ConvertError;

/// A literal constant (`ast.Constant`).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Lit {
    None,
    Bool(bool),
    Int(IntLit),
    Float(f64),
    Imag(f64),
    Str(String),
    Bytes(Vec<u8>),
    Ellipsis,
}

/// Unary operators `literal_eval` tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UnOp {
    Plus,
    Minus,
    /// `~`, `not`
    Other,
}

/// Binary operators `literal_eval` tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BinOp {
    Add,
    Sub,
    Other,
}

/// An expression node with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Const(Lit, usize),
    Tuple(Vec<Node>, usize),
    List(Vec<Node>, usize),
    Set(Vec<Node>, usize),
    /// `None` keys are `**mapping` entries.
    Dict(Vec<(Option<Node>, Node)>, usize),
    Call {
        func: Box<Node>,
        n_args: usize,
        line: usize,
    },
    Name(String, usize),
    UnaryOp(UnOp, Box<Node>, usize),
    BinOp(BinOp, Box<Node>, Box<Node>, usize),
    /// Any other node, by its `ast` class name (`Attribute`, `Compare`, `ListComp`, ...).
    Other(&'static str, usize),
}

impl Node {
    /// The `ast` class name.
    pub(super) fn class_name(&self) -> &'static str {
        match self {
            Node::Const(..) => "Constant",
            Node::Tuple(..) => "Tuple",
            Node::List(..) => "List",
            Node::Set(..) => "Set",
            Node::Dict(..) => "Dict",
            Node::Call { .. } => "Call",
            Node::Name(..) => "Name",
            Node::UnaryOp(..) => "UnaryOp",
            Node::BinOp(..) => "BinOp",
            Node::Other(name, _) => name,
        }
    }

    /// The line the node starts on.
    pub(super) fn line(&self) -> usize {
        match self {
            Node::Const(_, l)
            | Node::Tuple(_, l)
            | Node::List(_, l)
            | Node::Set(_, l)
            | Node::Dict(_, l)
            | Node::Call { line: l, .. }
            | Node::Name(_, l)
            | Node::UnaryOp(_, _, l)
            | Node::BinOp(_, _, _, l)
            | Node::Other(_, l) => *l,
        }
    }
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Parses tokens as Python's `eval` input: an expression list and nothing else.
pub(super) fn parse_eval(tokens: &[Token], empty_source: bool) -> Result<Node, ConvertError> {
    let mut p = Parser {
        tokens,
        pos: 0,
        furthest: Cell::new(0),
    };
    let result = p.star_expressions().and_then(|node| {
        while p.tok() == &Tok::Newline {
            p.pos += 1;
        }
        if p.tok() == &Tok::Eof {
            Ok(node)
        } else {
            Err(Fail::Generic)
        }
    });
    match result {
        Ok(node) => Ok(node),
        Err(Fail::Raised(e)) => Err(e),
        Err(Fail::Generic) => Err(p.resolve(empty_source)),
    }
}

struct Parser<'t> {
    tokens: &'t [Token],
    pos: usize,
    /// The furthest token looked at (where CPython's parser reports a generic error).
    furthest: Cell<usize>,
}

/// Why parsing stopped.
enum Fail {
    /// No grammar rule matched (resolved to a message by [`Parser::resolve`]).
    Generic,
    /// A specific error, raised as is.
    Raised(ConvertError),
}

impl From<ConvertError> for Fail {
    fn from(e: ConvertError) -> Self {
        Fail::Raised(e)
    }
}

impl Parser<'_> {
    fn current(&self) -> &Token {
        // The token list always ends with `Eof` or `Error`, which is never consumed.
        let pos = self.pos.min(self.tokens.len() - 1);
        self.furthest.set(self.furthest.get().max(pos));
        &self.tokens[pos]
    }

    fn tok(&self) -> &Tok {
        &self.current().tok
    }

    fn line(&self) -> usize {
        self.current().line
    }

    fn error(&self) -> Fail {
        Fail::Generic
    }

    /// The error CPython reports when no rule matched: a tokenizer error the parser ran
    /// into, an unexpected indent, an unclosed bracket at the end of input, the "forgot a
    /// comma" hint inside brackets, a tokenizer error further on, or `invalid syntax` at
    /// the furthest token looked at.
    fn resolve(&self, empty_source: bool) -> ConvertError {
        let at = self.furthest.get();
        let token = &self.tokens[at];
        let lex_error = match self.tokens.last() {
            Some(Token {
                tok: Tok::Error(e), ..
            }) => Some(e),
            _ => None,
        };
        match &token.tok {
            Tok::Error(e) => return e.error.clone(),
            Tok::Indent => {
                return ConvertError::new(
                    "IndentationError",
                    format!("unexpected indent (<unknown>, line {})", token.line),
                );
            }
            Tok::Eof if empty_source => return syntax_error("invalid syntax", 0),
            _ => {}
        }
        if let Some(hint) = self.missing_comma(at) {
            return hint;
        }
        match lex_error {
            Some(LexError {
                error,
                kind: LexErrorKind::Raised,
            }) => error.clone(),
            Some(LexError {
                error,
                kind: LexErrorKind::NeverClosed(line),
            }) if token.line > *line => error.clone(),
            _ => syntax_error("invalid syntax", token.line),
        }
    }

    /// CPython's `invalid_expression` rule: two expressions side by side inside brackets
    /// mean a forgotten comma — unless reading the second one runs into the end of the
    /// input, which then reports the unclosed bracket.
    fn missing_comma(&self, at: usize) -> Option<ConvertError> {
        let prev = self.tokens.get(at.checked_sub(1)?)?;
        let ends_expression = match &prev.tok {
            Tok::Name(n) => {
                !KEYWORDS.contains(&n.as_str()) || matches!(n.as_str(), "True" | "False" | "None")
            }
            Tok::Int(_) | Tok::Float(_) | Tok::Imag(_) | Tok::Str(_) => true,
            Tok::Op(o) => matches!(*o, ")" | "]" | "}"),
            _ => false,
        };
        let depth = self.tokens[..at].iter().fold(0i32, |d, t| match t.tok {
            Tok::Op("(" | "[" | "{") => d + 1,
            Tok::Op(")" | "]" | "}") => d - 1,
            _ => d,
        });
        let mut probe = Parser {
            tokens: self.tokens,
            pos: at,
            furthest: Cell::new(at),
        };
        if !ends_expression || !probe.starts_expression() || probe.is_op("*") {
            return None;
        }
        // Reading the second expression may run into a tokenizer error (such as the end
        // of input inside brackets), which is then what CPython reports.
        let second = probe.expression();
        let reached = &self.tokens[probe.furthest.get()].tok;
        if let Tok::Error(e) = reached {
            return Some(e.error.clone());
        }
        second.ok()?;
        (depth > 0).then(|| syntax_error("invalid syntax. Perhaps you forgot a comma?", prev.line))
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.tok(), Tok::Op(o) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.tok(), Tok::Name(n) if n == kw)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let hit = self.is_op(op);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.is_kw(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect_op(&mut self, op: &str) -> Result<(), Fail> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// Whether the current token can start an expression.
    fn starts_expression(&self) -> bool {
        match self.tok() {
            Tok::Name(n) => {
                !KEYWORDS.contains(&n.as_str())
                    || matches!(
                        n.as_str(),
                        "True" | "False" | "None" | "not" | "lambda" | "await"
                    )
            }
            Tok::Int(_) | Tok::Float(_) | Tok::Imag(_) | Tok::Str(_) => true,
            Tok::Op(o) => matches!(*o, "(" | "[" | "{" | "-" | "+" | "~" | "..." | "*"),
            Tok::Newline | Tok::Indent | Tok::Eof | Tok::Error(_) => false,
        }
    }

    /// Skips to just after the bracket closing the one already consumed (for
    /// comprehensions and subscripts, whose insides `literal_eval` never looks at).
    fn skip_to_close(&mut self) -> Result<(), Fail> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.tok() {
                Tok::Op("(" | "[" | "{") => depth += 1,
                Tok::Op(")" | "]" | "}") => depth -= 1,
                Tok::Eof | Tok::Error(_) => return Err(self.error()),
                _ => {}
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// `a, b, c` without brackets (a tuple when there is a comma).
    fn star_expressions(&mut self) -> Result<Node, Fail> {
        // `eval` input is `expressions`: no starred items at the top level.
        let line = self.line();
        let first = self.expression()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if !self.starts_expression() || self.is_op("*") {
                break;
            }
            items.push(self.expression()?);
        }
        Ok(Node::Tuple(items, line))
    }

    /// An expression or `*expression` (a `Starred` node) inside a display.
    fn expr_or_star(&mut self) -> Result<Node, Fail> {
        let line = self.line();
        if self.eat_op("*") {
            self.bitwise_or()?;
            return Ok(Node::Other("Starred", line));
        }
        self.expression()
    }

    fn expression(&mut self) -> Result<Node, Fail> {
        let line = self.line();
        if self.eat_kw("lambda") {
            while !self.is_op(":") {
                // The last token is never consumed: stop at a tokenizer error too.
                if matches!(self.tok(), Tok::Eof | Tok::Newline | Tok::Error(_)) {
                    return Err(self.error());
                }
                self.pos += 1;
            }
            self.pos += 1;
            self.expression()?;
            return Ok(Node::Other("Lambda", line));
        }
        let body = self.disjunction()?;
        if self.eat_kw("if") {
            self.disjunction()?;
            if !self.eat_kw("else") {
                return Err(self.error());
            }
            self.expression()?;
            return Ok(Node::Other("IfExp", line));
        }
        Ok(body)
    }

    fn disjunction(&mut self) -> Result<Node, Fail> {
        let line = self.line();
        let first = self.conjunction()?;
        if !self.is_kw("or") {
            return Ok(first);
        }
        while self.eat_kw("or") {
            self.conjunction()?;
        }
        Ok(Node::Other("BoolOp", line))
    }

    fn conjunction(&mut self) -> Result<Node, Fail> {
        let line = self.line();
        let first = self.inversion()?;
        if !self.is_kw("and") {
            return Ok(first);
        }
        while self.eat_kw("and") {
            self.inversion()?;
        }
        Ok(Node::Other("BoolOp", line))
    }

    fn inversion(&mut self) -> Result<Node, Fail> {
        let line = self.line();
        if self.eat_kw("not") {
            let operand = self.inversion()?;
            return Ok(Node::UnaryOp(UnOp::Other, Box::new(operand), line));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Node, Fail> {
        let line = self.line();
        let first = self.bitwise_or()?;
        let mut compared = false;
        loop {
            let is_comp_op = matches!(self.tok(), Tok::Op("<" | ">" | "==" | ">=" | "<=" | "!="));
            if is_comp_op || self.is_kw("in") {
                self.pos += 1;
            } else if self.is_kw("is") {
                self.pos += 1;
                self.eat_kw("not");
            } else if self.is_kw("not")
                && matches!(self.tokens.get(self.pos + 1), Some(Token { tok: Tok::Name(n), .. }) if n == "in")
            {
                self.pos += 2;
            } else {
                break;
            }
            self.bitwise_or()?;
            compared = true;
        }
        Ok(if compared {
            Node::Other("Compare", line)
        } else {
            first
        })
    }

    /// Left-associative binary levels, from `|` down to `*`.
    fn binary_level(&mut self, level: usize) -> Result<Node, Fail> {
        const LEVELS: &[&[&str]] = &[
            &["|"],
            &["^"],
            &["&"],
            &["<<", ">>"],
            &["+", "-"],
            &["*", "/", "//", "%", "@"],
        ];
        let Some(ops) = LEVELS.get(level) else {
            return self.factor();
        };
        let line = self.line();
        let mut left = self.binary_level(level + 1)?;
        loop {
            let op = match self.tok() {
                Tok::Op(o) if ops.contains(o) => *o,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.binary_level(level + 1)?;
            let kind = match op {
                "+" => BinOp::Add,
                "-" => BinOp::Sub,
                _ => BinOp::Other,
            };
            left = Node::BinOp(kind, Box::new(left), Box::new(right), line);
        }
    }

    fn bitwise_or(&mut self) -> Result<Node, Fail> {
        self.binary_level(0)
    }

    fn factor(&mut self) -> Result<Node, Fail> {
        let line = self.line();
        let op = match self.tok() {
            Tok::Op("+") => UnOp::Plus,
            Tok::Op("-") => UnOp::Minus,
            Tok::Op("~") => UnOp::Other,
            _ => return self.power(),
        };
        self.pos += 1;
        let operand = self.factor()?;
        Ok(Node::UnaryOp(op, Box::new(operand), line))
    }

    fn power(&mut self) -> Result<Node, Fail> {
        let line = self.line();
        let base = if self.eat_kw("await") {
            self.primary()?;
            Node::Other("Await", line)
        } else {
            self.primary()?
        };
        if self.eat_op("**") {
            let exponent = self.factor()?;
            return Ok(Node::BinOp(
                BinOp::Other,
                Box::new(base),
                Box::new(exponent),
                line,
            ));
        }
        Ok(base)
    }

    fn primary(&mut self) -> Result<Node, Fail> {
        let line = self.line();
        let mut node = self.atom()?;
        loop {
            if self.eat_op(".") {
                if !matches!(self.tok(), Tok::Name(n) if !KEYWORDS.contains(&n.as_str())) {
                    return Err(self.error());
                }
                self.pos += 1;
                node = Node::Other("Attribute", line);
            } else if self.eat_op("(") {
                let n_args = self.call_arguments()?;
                node = Node::Call {
                    func: Box::new(node),
                    n_args,
                    line,
                };
            } else if self.eat_op("[") {
                self.slices()?;
                node = Node::Other("Subscript", line);
            } else {
                return Ok(node);
            }
        }
    }

    /// The arguments of a call, after `(`; returns how many there are.
    fn call_arguments(&mut self) -> Result<usize, Fail> {
        let mut n = 0;
        while !self.eat_op(")") {
            if self.eat_op("*") || self.eat_op("**") {
                self.expression()?;
            } else if matches!(self.tok(), Tok::Name(_))
                && matches!(
                    self.tokens.get(self.pos + 1),
                    Some(Token {
                        tok: Tok::Op("="),
                        ..
                    })
                )
            {
                self.pos += 2;
                self.expression()?;
            } else {
                self.expression()?;
                if self.is_kw("for") || self.is_kw("async") {
                    self.skip_to_close()?;
                    return Ok(n + 1);
                }
            }
            n += 1;
            if !self.eat_op(",") {
                self.expect_op(")")?;
                break;
            }
        }
        Ok(n)
    }

    fn atom(&mut self) -> Result<Node, Fail> {
        let line = self.line();
        let node = match self.tok().clone() {
            Tok::Name(name) => {
                let node = match name.as_str() {
                    "True" => Node::Const(Lit::Bool(true), line),
                    "False" => Node::Const(Lit::Bool(false), line),
                    "None" => Node::Const(Lit::None, line),
                    kw if KEYWORDS.contains(&kw) => return Err(self.error()),
                    _ => Node::Name(name, line),
                };
                self.pos += 1;
                node
            }
            Tok::Int(i) => {
                self.pos += 1;
                Node::Const(Lit::Int(i), line)
            }
            Tok::Float(x) => {
                self.pos += 1;
                Node::Const(Lit::Float(x), line)
            }
            Tok::Imag(x) => {
                self.pos += 1;
                Node::Const(Lit::Imag(x), line)
            }
            Tok::Str(_) => self.strings()?,
            Tok::Op("...") => {
                self.pos += 1;
                Node::Const(Lit::Ellipsis, line)
            }
            Tok::Op("(") => {
                self.pos += 1;
                self.paren(line)?
            }
            Tok::Op("[") => {
                self.pos += 1;
                self.list(line)?
            }
            Tok::Op("{") => {
                self.pos += 1;
                self.brace(line)?
            }
            _ => return Err(self.error()),
        };
        Ok(node)
    }

    /// Adjacent string literals, concatenated.
    fn strings(&mut self) -> Result<Node, Fail> {
        let line = self.line();
        let mut parts = Vec::new();
        while let Tok::Str(body) = self.tok() {
            parts.push(body.clone());
            self.pos += 1;
        }
        let n_bytes = parts
            .iter()
            .filter(|p| matches!(p, StrBody::Bytes(_)))
            .count();
        if n_bytes != 0 && n_bytes != parts.len() {
            return Err(syntax_error("cannot mix bytes and nonbytes literals", line).into());
        }
        if parts.iter().any(|p| matches!(p, StrBody::FString)) {
            return Ok(Node::Other("JoinedStr", line));
        }
        if n_bytes != 0 {
            let mut all = Vec::new();
            for part in parts {
                if let StrBody::Bytes(b) = part {
                    all.extend(b);
                }
            }
            return Ok(Node::Const(Lit::Bytes(all), line));
        }
        let mut all = String::new();
        for part in parts {
            if let StrBody::Str(s) = part {
                all.push_str(&s);
            }
        }
        Ok(Node::Const(Lit::Str(all), line))
    }

    /// After `(`: `()`, a parenthesised expression, a tuple or a generator expression.
    fn paren(&mut self, line: usize) -> Result<Node, Fail> {
        if self.eat_op(")") {
            return Ok(Node::Tuple(Vec::new(), line));
        }
        let starred = self.is_op("*");
        let first = self.expr_or_star()?;
        if self.is_kw("for") || self.is_kw("async") {
            self.skip_to_close()?;
            return Ok(Node::Other("GeneratorExp", line));
        }
        if self.eat_op(")") {
            return if starred {
                Err(self.error())
            } else {
                Ok(first)
            };
        }
        let items = self.rest_of_items(first, ")")?;
        Ok(Node::Tuple(items, line))
    }

    /// After `[`: a list display or a list comprehension.
    fn list(&mut self, line: usize) -> Result<Node, Fail> {
        if self.eat_op("]") {
            return Ok(Node::List(Vec::new(), line));
        }
        let first = self.expr_or_star()?;
        if self.is_kw("for") || self.is_kw("async") {
            self.skip_to_close()?;
            return Ok(Node::Other("ListComp", line));
        }
        if self.eat_op("]") {
            return Ok(Node::List(vec![first], line));
        }
        Ok(Node::List(self.rest_of_items(first, "]")?, line))
    }

    /// After the first item of a display: `, item` ... up to and including `close`.
    fn rest_of_items(&mut self, first: Node, close: &str) -> Result<Vec<Node>, Fail> {
        let mut items = vec![first];
        loop {
            if self.eat_op(close) {
                return Ok(items);
            }
            self.expect_op(",")?;
            if self.eat_op(close) {
                return Ok(items);
            }
            items.push(self.expr_or_star()?);
        }
    }

    /// After `{`: a dict or set display or comprehension.
    fn brace(&mut self, line: usize) -> Result<Node, Fail> {
        if self.eat_op("}") {
            return Ok(Node::Dict(Vec::new(), line));
        }
        let first_key = if self.eat_op("**") {
            None
        } else {
            let key = self.expr_or_star()?;
            if !self.is_op(":") {
                // A set.
                if self.is_kw("for") || self.is_kw("async") {
                    self.skip_to_close()?;
                    return Ok(Node::Other("SetComp", line));
                }
                return Ok(Node::Set(self.rest_of_items(key, "}")?, line));
            }
            if key.class_name() == "Starred" {
                return Err(self.error());
            }
            self.pos += 1;
            Some(key)
        };
        let first_value = if first_key.is_some() {
            self.dict_value()?
        } else {
            self.bitwise_or()?
        };
        if first_key.is_some() && (self.is_kw("for") || self.is_kw("async")) {
            self.skip_to_close()?;
            return Ok(Node::Other("DictComp", line));
        }
        let mut entries = vec![(first_key, first_value)];
        loop {
            if self.eat_op("}") {
                return Ok(Node::Dict(entries, line));
            }
            self.expect_op(",")?;
            if self.eat_op("}") {
                return Ok(Node::Dict(entries, line));
            }
            if self.eat_op("**") {
                entries.push((None, self.bitwise_or()?));
            } else {
                let key = self.expression()?;
                self.expect_op(":")?;
                entries.push((Some(key), self.dict_value()?));
            }
        }
    }

    /// A dict value, after `key :`.
    fn dict_value(&mut self) -> Result<Node, Fail> {
        if self.is_op("}") || self.is_op(",") {
            let line = self.tokens[self.pos - 1].line;
            return Err(
                syntax_error("expression expected after dictionary key and ':'", line).into(),
            );
        }
        self.expression()
    }

    /// The inside of a subscript, after `[`, up to and including `]`: slices
    /// (`a`, `a:b`, `a:b:c`, each part optional) separated by commas.
    fn slices(&mut self) -> Result<(), Fail> {
        loop {
            if self.eat_op("*") {
                self.bitwise_or()?;
            } else {
                let mut any = false;
                if !self.is_op(":") {
                    self.expression()?;
                    any = true;
                }
                for _ in 0..2 {
                    if !self.eat_op(":") {
                        break;
                    }
                    any = true;
                    if !self.is_op(":") && !self.is_op("]") && !self.is_op(",") {
                        self.expression()?;
                    }
                }
                if !any {
                    return Err(self.error());
                }
            }
            if self.eat_op("]") {
                return Ok(());
            }
            self.expect_op(",")?;
            if self.eat_op("]") {
                return Ok(());
            }
        }
    }
}
