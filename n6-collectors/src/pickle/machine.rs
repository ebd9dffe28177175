//! The pickle virtual machine, restricted to what n6 state files contain.
//!
//! Objects live in an arena and the stack, memo and containers hold indices, so a
//! memoized container that is filled after being memoized (as pickle does for every
//! `dict`, `list` and `set`) is seen complete through every reference. The tree is built
//! at the end ([`Machine::finish`]); a recursive structure is refused.

use std::collections::HashMap;

use super::PyValue;
use super::error::{PickleError, PickleErrorKind as K};
use super::opcode;
use super::text::{self, Py2Strings};

type Id = usize;

/// The callables and classes a supported pickle may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Global {
    Set,
    FrozenSet,
    ByteArray,
    CodecsEncode,
    Date,
    DateTime,
    OpSet,
}

impl std::fmt::Display for Global {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Global::Set => "builtins.set",
            Global::FrozenSet => "builtins.frozenset",
            Global::ByteArray => "builtins.bytearray",
            Global::CodecsEncode => "_codecs.encode",
            Global::Date => "datetime.date",
            Global::DateTime => "datetime.datetime",
            Global::OpSet => "n6lib.common_helpers.OPSet",
        })
    }
}

impl Global {
    fn lookup(module: &str, name: &str) -> Option<Global> {
        match (module, name) {
            ("builtins" | "__builtin__", "set") => Some(Global::Set),
            ("builtins" | "__builtin__", "frozenset") => Some(Global::FrozenSet),
            ("builtins" | "__builtin__", "bytearray") => Some(Global::ByteArray),
            ("_codecs", "encode") => Some(Global::CodecsEncode),
            ("datetime", "date") => Some(Global::Date),
            ("datetime", "datetime") => Some(Global::DateTime),
            ("n6lib.common_helpers", "OPSet") => Some(Global::OpSet),
            _ => None,
        }
    }
}

/// An object in the arena.
#[derive(Debug)]
enum Obj {
    Leaf(PyValue),
    /// A Python 2 8-bit `str`, raw; decoded by [`Py2Strings`] when the tree is built.
    Str8(Vec<u8>),
    List(Vec<Id>),
    Tuple(Vec<Id>),
    Dict(Vec<(Id, Id)>),
    Set(Vec<Id>),
    FrozenSet(Vec<Id>),
    OpSet(Vec<Id>),
    Global(Global),
    /// An `OPSet` created by `NEWOBJ`, waiting for its `BUILD`.
    NewOpSet,
}

/// State of building the tree: containers being built (to find cycles) and how many
/// more nodes may be built.
struct Walk {
    visiting: Vec<bool>,
    budget: usize,
}

/// Nesting deeper than this is refused (no n6 state comes close).
const MAX_DEPTH: usize = 200;

/// Runs the opcodes of one pickle.
pub(crate) struct Machine<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of the opcode being executed.
    op_at: usize,
    arena: Vec<Obj>,
    /// Offset of the opcode that made each object.
    origin: Vec<usize>,
    stack: Vec<Id>,
    marks: Vec<usize>,
    memo: HashMap<u64, Id>,
    py2: Py2Strings,
}

impl<'a> Machine<'a> {
    /// A machine reading `data` from its start.
    pub(crate) fn new(data: &'a [u8], py2: Py2Strings) -> Self {
        Machine {
            data,
            pos: 0,
            op_at: 0,
            arena: Vec::new(),
            origin: Vec::new(),
            stack: Vec::new(),
            marks: Vec::new(),
            memo: HashMap::new(),
            py2,
        }
    }

    /// Executes opcodes up to `STOP` and returns the object built. Bytes after `STOP` are
    /// ignored, as Python's `pickle.load` ignores them.
    pub(crate) fn run(mut self) -> Result<PyValue, PickleError> {
        loop {
            self.op_at = self.pos;
            let op = self.byte()?;
            if op == opcode::STOP {
                let top = self.pop()?;
                return self.finish(top);
            }
            self.step(op)?;
        }
    }

    /// Executes one opcode: framing, the stack and the memo here; values, containers and
    /// objects in the steps below.
    fn step(&mut self, op: u8) -> Result<(), PickleError> {
        match op {
            opcode::PROTO => {
                let proto = self.byte()?;
                if proto > 5 {
                    return self.fail(K::Unsupported(format!(
                        "pickle protocol {proto} (Python supports up to 5)"
                    )));
                }
            }
            opcode::FRAME => {
                self.take(8)?; // FRAME: framing is irrelevant when all data is in memory
            }
            opcode::MARK => self.marks.push(self.stack.len()),
            opcode::POP => {
                if self.stack.len() > self.segment_start() {
                    self.pop()?;
                } else {
                    self.pop_mark()?;
                }
            }
            opcode::POP_MARK => {
                self.pop_mark()?;
            }
            opcode::DUP => {
                let top = self.top()?;
                self.stack.push(top);
            }
            // Memo.
            opcode::PUT => {
                let key = self.decimal_line()?;
                self.memo_put(key)?;
            }
            opcode::BINPUT => {
                let key = u64::from(self.byte()?);
                self.memo_put(key)?;
            }
            opcode::LONG_BINPUT => {
                let key = u64::from(self.u32_le()?);
                self.memo_put(key)?;
            }
            opcode::MEMOIZE => {
                let key = self.memo.len() as u64;
                self.memo_put(key)?;
            }
            opcode::GET => {
                let key = self.decimal_line()?;
                self.memo_get(key)?;
            }
            opcode::BINGET => {
                let key = u64::from(self.byte()?);
                self.memo_get(key)?;
            }
            opcode::LONG_BINGET => {
                let key = u64::from(self.u32_le()?);
                self.memo_get(key)?;
            }
            // Scalars.
            _ => return self.step_value(op),
        }
        Ok(())
    }

    /// Opcodes that push a constant, a number, a string or bytes.
    fn step_value(&mut self, op: u8) -> Result<(), PickleError> {
        match op {
            opcode::NONE => self.push(Obj::Leaf(PyValue::None)),
            opcode::NEWTRUE => self.push(Obj::Leaf(PyValue::Bool(true))),
            opcode::NEWFALSE => self.push(Obj::Leaf(PyValue::Bool(false))),
            opcode::BININT => {
                let raw = self.take(4)?;
                let v = i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
                self.push(Obj::Leaf(PyValue::Int(i128::from(v))));
            }
            opcode::BININT1 => {
                let v = self.byte()?;
                self.push(Obj::Leaf(PyValue::Int(i128::from(v))));
            }
            opcode::BININT2 => {
                let raw = self.take(2)?;
                let v = u16::from_le_bytes([raw[0], raw[1]]);
                self.push(Obj::Leaf(PyValue::Int(i128::from(v))));
            }
            opcode::LONG1 => {
                let n = usize::from(self.byte()?);
                self.long(n)?;
            }
            opcode::LONG4 => {
                let n = self.i32_len()?;
                self.long(n)?;
            }
            opcode::BINFLOAT => {
                let raw = self.take(8)?;
                let mut be = [0u8; 8];
                be.copy_from_slice(raw);
                self.push(Obj::Leaf(PyValue::Float(f64::from_be_bytes(be))));
            }
            // Text and bytes.
            opcode::BINUNICODE => {
                let n = self.u32_le()? as usize;
                self.unicode(n)?;
            }
            opcode::SHORT_BINUNICODE => {
                let n = usize::from(self.byte()?);
                self.unicode(n)?;
            }
            opcode::BINUNICODE8 => {
                let n = self.u64_len()?;
                self.unicode(n)?;
            }
            opcode::BINSTRING => {
                let n = self.i32_len()?;
                let raw = self.take(n)?.to_vec();
                self.push(Obj::Str8(raw));
            }
            opcode::SHORT_BINSTRING => {
                let n = usize::from(self.byte()?);
                let raw = self.take(n)?.to_vec();
                self.push(Obj::Str8(raw));
            }
            opcode::BINBYTES => {
                let n = self.u32_le()? as usize;
                self.bytes(n)?;
            }
            opcode::SHORT_BINBYTES => {
                let n = usize::from(self.byte()?);
                self.bytes(n)?;
            }
            opcode::BINBYTES8 | opcode::BYTEARRAY8 => {
                let n = self.u64_len()?;
                self.bytes(n)?;
            }
            // Containers.
            _ => return self.step_container(op),
        }
        Ok(())
    }

    /// Opcodes that build or fill a tuple, list, dict or set.
    fn step_container(&mut self, op: u8) -> Result<(), PickleError> {
        match op {
            opcode::EMPTY_LIST => self.push(Obj::List(Vec::new())),
            opcode::EMPTY_TUPLE => self.push(Obj::Tuple(Vec::new())),
            opcode::EMPTY_DICT => self.push(Obj::Dict(Vec::new())),
            opcode::EMPTY_SET => self.push(Obj::Set(Vec::new())),
            opcode::LIST => {
                let items = self.pop_mark()?;
                self.push(Obj::List(items));
            }
            opcode::TUPLE => {
                let items = self.pop_mark()?;
                self.push(Obj::Tuple(items));
            }
            opcode::TUPLE1 | opcode::TUPLE2 | opcode::TUPLE3 => {
                let n = usize::from(op - opcode::TUPLE1) + 1;
                let start = self
                    .stack
                    .len()
                    .checked_sub(n)
                    .filter(|&s| s >= self.segment_start());
                let Some(start) = start else {
                    return self.fail(K::Malformed("stack underflow".into()));
                };
                let items = self.stack.split_off(start);
                self.push(Obj::Tuple(items));
            }
            opcode::DICT => {
                let items = self.pop_mark()?;
                let pairs = self.pairs(items)?;
                self.push(Obj::Dict(pairs));
            }
            opcode::FROZENSET => {
                let items = self.pop_mark()?;
                self.push(Obj::FrozenSet(items));
            }
            opcode::APPEND => {
                let item = self.pop()?;
                self.extend_list(vec![item])?;
            }
            opcode::APPENDS => {
                let items = self.pop_mark()?;
                self.extend_list(items)?;
            }
            opcode::SETITEM => {
                let value = self.pop()?;
                let key = self.pop()?;
                self.extend_dict(vec![(key, value)])?;
            }
            opcode::SETITEMS => {
                let items = self.pop_mark()?;
                let pairs = self.pairs(items)?;
                self.extend_dict(pairs)?;
            }
            opcode::ADDITEMS => {
                let items = self.pop_mark()?;
                let top = self.top()?;
                match &mut self.arena[top] {
                    Obj::Set(set) => set.extend(items),
                    _ => {
                        return self.fail(K::Malformed(
                            "ADDITEMS on something that is not a set".into(),
                        ));
                    }
                }
            }
            // Objects.
            _ => return self.step_object(op),
        }
        Ok(())
    }

    /// Opcodes that name a global and build objects with it; anything else fails.
    fn step_object(&mut self, op: u8) -> Result<(), PickleError> {
        match op {
            opcode::GLOBAL => {
                let module = self.line()?;
                let name = self.line()?;
                self.global(&module, &name)?;
            }
            opcode::STACK_GLOBAL => {
                let name = self.pop()?;
                let module = self.pop()?;
                let (Some(module), Some(name)) = (self.text_of(module), self.text_of(name)) else {
                    return self.fail(K::Malformed("STACK_GLOBAL needs two strings".into()));
                };
                self.global(&module, &name)?;
            }
            opcode::REDUCE => {
                let args = self.pop()?;
                let callable = self.pop()?;
                self.reduce(callable, args)?;
            }
            opcode::NEWOBJ => {
                let args = self.pop()?;
                let class = self.pop()?;
                match (&self.arena[class], &self.arena[args]) {
                    (Obj::Global(Global::OpSet), Obj::Tuple(a)) if a.is_empty() => {
                        self.push(Obj::NewOpSet)
                    }
                    (Obj::Global(g), _) => {
                        return self.fail(K::Unsupported(format!(
                            "creating an instance of {g} with NEWOBJ"
                        )));
                    }
                    _ => return self.fail(K::Malformed("NEWOBJ needs a class".into())),
                }
            }
            opcode::BUILD => {
                let state = self.pop()?;
                let target = self.top()?;
                self.build(target, state)?;
            }
            _ => {
                return self.fail(match unsupported_name(op) {
                    Some(name) => K::UnsupportedOpcode { code: op, name },
                    None => K::InvalidOpcode(op),
                });
            }
        }
        Ok(())
    }

    // ----- reading -----

    fn fail<T>(&self, kind: K) -> Result<T, PickleError> {
        Err(PickleError {
            offset: self.op_at as u64,
            kind,
        })
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], PickleError> {
        let data: &'a [u8] = self.data;
        match self.pos.checked_add(n).filter(|&end| end <= data.len()) {
            Some(end) => {
                let slice = &data[self.pos..end];
                self.pos = end;
                Ok(slice)
            }
            None => Err(PickleError {
                offset: data.len() as u64,
                kind: K::Truncated,
            }),
        }
    }

    fn byte(&mut self) -> Result<u8, PickleError> {
        Ok(self.take(1)?[0])
    }

    fn u32_le(&mut self) -> Result<u32, PickleError> {
        let raw = self.take(4)?;
        Ok(u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]))
    }

    fn i32_len(&mut self) -> Result<usize, PickleError> {
        let raw = self.take(4)?;
        let n = i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
        match usize::try_from(n) {
            Ok(n) => Ok(n),
            Err(_) => self.fail(K::Malformed(format!("negative length {n}"))),
        }
    }

    fn u64_len(&mut self) -> Result<usize, PickleError> {
        let raw = self.take(8)?;
        let mut le = [0u8; 8];
        le.copy_from_slice(raw);
        match usize::try_from(u64::from_le_bytes(le)) {
            Ok(n) => Ok(n),
            Err(_) => Err(PickleError {
                offset: self.data.len() as u64,
                kind: K::Truncated,
            }),
        }
    }

    fn line(&mut self) -> Result<String, PickleError> {
        let rest = &self.data[self.pos..];
        let Some(len) = rest.iter().position(|&b| b == b'\n') else {
            return Err(PickleError {
                offset: self.data.len() as u64,
                kind: K::Truncated,
            });
        };
        let raw = self.take(len + 1)?;
        match std::str::from_utf8(&raw[..len]) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => self.fail(K::Malformed("a name that is not UTF-8".into())),
        }
    }

    fn decimal_line(&mut self) -> Result<u64, PickleError> {
        let line = self.line()?;
        match line.parse() {
            Ok(n) => Ok(n),
            Err(_) => self.fail(K::Malformed(format!("bad memo key {line:?}"))),
        }
    }

    // ----- stack -----

    fn push(&mut self, obj: Obj) {
        self.arena.push(obj);
        self.origin.push(self.op_at);
        self.stack.push(self.arena.len() - 1);
    }

    fn segment_start(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    fn pop(&mut self) -> Result<Id, PickleError> {
        if self.stack.len() > self.segment_start()
            && let Some(id) = self.stack.pop()
        {
            return Ok(id);
        }
        self.fail(K::Malformed("stack underflow".into()))
    }

    fn top(&self) -> Result<Id, PickleError> {
        match self.stack.last() {
            Some(&id) if self.stack.len() > self.segment_start() => Ok(id),
            _ => self.fail(K::Malformed("stack underflow".into())),
        }
    }

    fn pop_mark(&mut self) -> Result<Vec<Id>, PickleError> {
        match self.marks.pop() {
            Some(start) => Ok(self.stack.split_off(start)),
            None => self.fail(K::Malformed("no MARK on the stack".into())),
        }
    }

    fn memo_put(&mut self, key: u64) -> Result<(), PickleError> {
        let top = self.top()?;
        self.memo.insert(key, top);
        Ok(())
    }

    fn memo_get(&mut self, key: u64) -> Result<(), PickleError> {
        match self.memo.get(&key) {
            Some(&id) => {
                self.stack.push(id);
                Ok(())
            }
            None => self.fail(K::Malformed(format!("memo key {key} was never stored"))),
        }
    }

    // ----- building -----

    fn long(&mut self, n: usize) -> Result<(), PickleError> {
        let raw = self.take(n)?;
        if n > 16 {
            return self.fail(K::Unsupported(format!(
                "an integer of {n} bytes (more than CBOR holds)"
            )));
        }
        let mut le = [0u8; 16];
        le[..n].copy_from_slice(raw);
        if raw.last().is_some_and(|&b| b & 0x80 != 0) {
            le[n..].fill(0xff);
        }
        let v = i128::from_le_bytes(le);
        if ciborium::value::Integer::try_from(v).is_err() {
            return self.fail(K::Unsupported(format!(
                "the integer {v} is outside the CBOR integer range"
            )));
        }
        self.push(Obj::Leaf(PyValue::Int(v)));
        Ok(())
    }

    fn unicode(&mut self, n: usize) -> Result<(), PickleError> {
        let start = self.pos;
        let raw = self.take(n)?;
        match text::from_surrogatepass(raw) {
            Ok(s) => {
                self.push(Obj::Leaf(PyValue::str_from_escaped(s)));
                Ok(())
            }
            Err((at, why)) => Err(PickleError {
                offset: (start + at) as u64,
                kind: K::BadString(why),
            }),
        }
    }

    fn bytes(&mut self, n: usize) -> Result<(), PickleError> {
        let raw = self.take(n)?.to_vec();
        self.push(Obj::Leaf(PyValue::Bytes(raw)));
        Ok(())
    }

    fn pairs(&self, items: Vec<Id>) -> Result<Vec<(Id, Id)>, PickleError> {
        if !items.len().is_multiple_of(2) {
            return self.fail(K::Malformed("odd number of items for a dict".into()));
        }
        Ok(items.chunks(2).map(|kv| (kv[0], kv[1])).collect())
    }

    fn extend_list(&mut self, items: Vec<Id>) -> Result<(), PickleError> {
        let top = self.top()?;
        match &mut self.arena[top] {
            Obj::List(list) => {
                list.extend(items);
                Ok(())
            }
            _ => self.fail(K::Malformed(
                "APPEND(S) on something that is not a list".into(),
            )),
        }
    }

    fn extend_dict(&mut self, pairs: Vec<(Id, Id)>) -> Result<(), PickleError> {
        let top = self.top()?;
        match &mut self.arena[top] {
            Obj::Dict(dict) => {
                dict.extend(pairs);
                Ok(())
            }
            _ => self.fail(K::Malformed(
                "SETITEM(S) on something that is not a dict".into(),
            )),
        }
    }

    fn text_of(&self, id: Id) -> Option<String> {
        match &self.arena[id] {
            Obj::Leaf(PyValue::Str(s)) => Some(s.clone()),
            Obj::Str8(s) => String::from_utf8(s.clone()).ok(),
            _ => None,
        }
    }

    /// The raw bytes of a `bytes` / 8-bit `str` argument; a `str` of code points ≤ U+00FF
    /// counts as Latin-1 bytes (how Python 3 writes `bytes` into protocol-2 pickles).
    fn bytes_of(&self, id: Id) -> Option<Vec<u8>> {
        match &self.arena[id] {
            Obj::Leaf(PyValue::Bytes(b)) | Obj::Str8(b) => Some(b.clone()),
            Obj::Leaf(PyValue::Str(s)) => text::utf8_to_latin1(s),
            _ => None,
        }
    }

    fn global(&mut self, module: &str, name: &str) -> Result<(), PickleError> {
        match Global::lookup(module, name) {
            Some(g) => {
                self.push(Obj::Global(g));
                Ok(())
            }
            None => self.fail(K::UnsupportedGlobal(format!("{module}.{name}"))),
        }
    }

    fn reduce(&mut self, callable: Id, args: Id) -> Result<(), PickleError> {
        let Obj::Global(g) = self.arena[callable] else {
            return self.fail(K::Malformed("REDUCE needs a callable".into()));
        };
        let args = match &self.arena[args] {
            Obj::Tuple(a) => a.clone(),
            _ => return self.fail(K::Malformed("REDUCE needs an argument tuple".into())),
        };
        let obj = match (g, args.as_slice()) {
            (Global::Set, []) => Obj::Set(Vec::new()),
            (Global::FrozenSet, []) => Obj::FrozenSet(Vec::new()),
            (Global::Set | Global::FrozenSet, [items]) => match &self.arena[*items] {
                Obj::List(items) | Obj::Tuple(items) if g == Global::Set => Obj::Set(items.clone()),
                Obj::List(items) | Obj::Tuple(items) => Obj::FrozenSet(items.clone()),
                _ => {
                    return self.fail(K::Unsupported(
                        "set() of something that is not a list".into(),
                    ));
                }
            },
            (Global::ByteArray, []) => Obj::Leaf(PyValue::Bytes(Vec::new())),
            (Global::CodecsEncode, [data, encoding])
                if matches!(
                    self.text_of(*encoding).as_deref(),
                    Some("latin1" | "latin-1")
                ) =>
            {
                match self.bytes_of(*data) {
                    Some(b) => Obj::Leaf(PyValue::Bytes(b)),
                    None => {
                        return self.fail(K::Unsupported(format!(
                            "{g} of something that is not Latin-1 text"
                        )));
                    }
                }
            }
            (Global::ByteArray, [data, ..]) if args.len() <= 2 => match self.bytes_of(*data) {
                Some(b) => Obj::Leaf(PyValue::Bytes(b)),
                None => {
                    return self.fail(K::Unsupported(format!(
                        "{g} of something that is not Latin-1 text or bytes"
                    )));
                }
            },
            (Global::Date | Global::DateTime, [payload]) => match self.bytes_of(*payload) {
                Some(b) => match decode_date(g, &b) {
                    Ok(v) => Obj::Leaf(v),
                    Err(why) => return self.fail(K::Unsupported(why)),
                },
                None => {
                    return self.fail(K::Unsupported(format!(
                        "{g} built from something other than its packed bytes"
                    )));
                }
            },
            (Global::DateTime, [_, _]) => {
                return self.fail(K::Unsupported(
                    "a timezone-aware datetime.datetime (n6 states hold naive ones)".into(),
                ));
            }
            _ => {
                return self.fail(K::Unsupported(format!(
                    "calling {g} with {} argument(s)",
                    args.len()
                )));
            }
        };
        self.push(obj);
        Ok(())
    }

    fn build(&mut self, target: Id, state: Id) -> Result<(), PickleError> {
        if !matches!(self.arena[target], Obj::NewOpSet) {
            return self.fail(K::Unsupported(
                "BUILD (setting the state of an object) on anything but an OPSet".into(),
            ));
        }
        let Obj::Dict(attrs) = &self.arena[state] else {
            return self.fail(K::Unsupported("an OPSet whose state is not a dict".into()));
        };
        let inner = attrs
            .iter()
            .find(|(k, _)| self.text_of(*k).as_deref() == Some("_d"))
            .map(|&(_, v)| v);
        let items = match inner.map(|id| &self.arena[id]) {
            Some(Obj::Dict(d)) => d.iter().map(|&(k, _)| k).collect(),
            _ => return self.fail(K::Unsupported("an OPSet without its `_d` dict".into())),
        };
        self.arena[target] = Obj::OpSet(items);
        Ok(())
    }

    // ----- the tree -----

    fn finish(self, top: Id) -> Result<PyValue, PickleError> {
        let mut walk = Walk {
            visiting: vec![false; self.arena.len()],
            // A tree larger than a few times the input only comes from shared references
            // nested in each other (a "pickle bomb").
            budget: self.data.len().saturating_mul(4).saturating_add(64),
        };
        self.tree(top, &mut walk, 0)
    }

    fn tree(&self, id: Id, walk: &mut Walk, depth: usize) -> Result<PyValue, PickleError> {
        let at = |kind| PickleError {
            offset: self.origin[id] as u64,
            kind,
        };
        if walk.visiting[id] {
            return Err(at(K::Unsupported(
                "a recursive structure (a container that contains itself)".into(),
            )));
        }
        if depth > MAX_DEPTH {
            return Err(at(K::Unsupported(format!(
                "nesting deeper than {MAX_DEPTH} levels"
            ))));
        }
        let cost = match &self.arena[id] {
            Obj::Leaf(PyValue::Bytes(b)) | Obj::Str8(b) => 1 + b.len(),
            Obj::Leaf(PyValue::Str(s)) => 1 + s.len(),
            Obj::Leaf(PyValue::EscapedStr(s)) => 1 + s.as_bytes().len(),
            _ => 1,
        };
        walk.budget = match walk.budget.checked_sub(cost) {
            Some(left) => left,
            None => {
                return Err(at(K::Unsupported(
                    "shared references that expand to far more data than the file holds".into(),
                )));
            }
        };
        walk.visiting[id] = true;
        let many = |ids: &[Id], walk: &mut Walk| -> Result<Vec<PyValue>, PickleError> {
            ids.iter().map(|&i| self.tree(i, walk, depth + 1)).collect()
        };
        let value = match &self.arena[id] {
            Obj::Leaf(v) => v.clone(),
            Obj::Str8(raw) => self.py2_str(raw).map_err(at)?,
            Obj::List(ids) => PyValue::List(many(ids, walk)?),
            Obj::Tuple(ids) => PyValue::Tuple(many(ids, walk)?),
            Obj::Set(ids) => PyValue::Set(many(ids, walk)?),
            Obj::FrozenSet(ids) => PyValue::FrozenSet(many(ids, walk)?),
            Obj::OpSet(ids) => PyValue::OpSet(many(ids, walk)?),
            Obj::Dict(pairs) => {
                let mut out = Vec::with_capacity(pairs.len());
                for &(k, v) in pairs {
                    out.push((
                        self.tree(k, walk, depth + 1)?,
                        self.tree(v, walk, depth + 1)?,
                    ));
                }
                PyValue::Dict(out)
            }
            Obj::Global(g) => {
                return Err(at(K::Unsupported(format!(
                    "a reference to {g} used as a value"
                ))));
            }
            Obj::NewOpSet => return Err(at(K::Unsupported("an OPSet without state".into()))),
        };
        walk.visiting[id] = false;
        Ok(value)
    }

    fn py2_str(&self, raw: &[u8]) -> Result<PyValue, K> {
        Ok(match self.py2 {
            Py2Strings::Utf8SurrogateEscape => PyValue::str_from_escaped(raw.to_vec()),
            Py2Strings::Latin1 => PyValue::Str(text::latin1_to_utf8(raw)),
            Py2Strings::Bytes => PyValue::Bytes(raw.to_vec()),
            Py2Strings::Ascii => match raw.iter().position(|b| !b.is_ascii()) {
                // All ASCII: valid UTF-8.
                None => PyValue::str_from_escaped(raw.to_vec()),
                Some(i) => {
                    return Err(K::BadString(format!(
                        "a Python 2 string: 'ascii' codec can't decode byte 0x{:02x} in position {i} (choose another Python-2 string encoding)",
                        raw[i]
                    )));
                }
            },
        })
    }
}

/// Decodes the packed bytes of `datetime.date` (4) or naive `datetime.datetime` (10).
fn decode_date(g: Global, b: &[u8]) -> Result<PyValue, String> {
    let year = u16::from_be_bytes([*b.first().unwrap_or(&0), *b.get(1).unwrap_or(&0)]);
    let value = match (g, b.len()) {
        (Global::Date, 4) => PyValue::Date {
            year,
            month: b[2],
            day: b[3],
        },
        (Global::DateTime, 10) => PyValue::DateTime {
            year,
            month: b[2] & 0x7f, // the high bit is `fold`
            day: b[3],
            hour: b[4],
            minute: b[5],
            second: b[6],
            microsecond: u32::from_be_bytes([0, b[7], b[8], b[9]]),
        },
        (_, n) => return Err(format!("{g} with a packed payload of {n} bytes")),
    };
    let ok = match value {
        PyValue::Date { year, month, day } => {
            (1..=9999).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
        }
        PyValue::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            microsecond,
        } => {
            (1..=9999).contains(&year)
                && (1..=12).contains(&month)
                && (1..=31).contains(&day)
                && hour < 24
                && minute < 60
                && second < 60
                && microsecond < 1_000_000
        }
        _ => false,
    };
    if ok {
        Ok(value)
    } else {
        Err(format!("an out-of-range {g} ({value})"))
    }
}

/// Names of valid opcodes this reader does not execute.
fn unsupported_name(op: u8) -> Option<&'static str> {
    Some(match op {
        opcode::FLOAT => "FLOAT",
        opcode::INT => "INT",
        opcode::LONG => "LONG",
        opcode::STRING => "STRING",
        opcode::UNICODE => "UNICODE",
        opcode::PERSID => "PERSID",
        opcode::BINPERSID => "BINPERSID",
        opcode::INST => "INST",
        opcode::OBJ => "OBJ",
        opcode::EXT1 => "EXT1",
        opcode::EXT2 => "EXT2",
        opcode::EXT4 => "EXT4",
        opcode::NEWOBJ_EX => "NEWOBJ_EX",
        opcode::NEXT_BUFFER => "NEXT_BUFFER",
        opcode::READONLY_BUFFER => "READONLY_BUFFER",
        _ => return None,
    })
}
