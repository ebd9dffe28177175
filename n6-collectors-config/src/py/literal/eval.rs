//! `ast.literal_eval`'s evaluation of a parsed expression, step by step as in CPython
//! (so that the first offending node is the one reported), plus Python's equality and
//! hashability rules for building sets and dicts.

use super::lexer::IntLit;
use super::parser::{BinOp, Lit, Node, UnOp};
use crate::convert::ConvertError;
use crate::py::PyValue;

/// A number on its way through `_convert_signed_num`.
enum Num {
    Int(i128),
    Big(String),
    Float(f64),
    Complex(f64, f64),
}

fn malformed(node: &Node) -> ConvertError {
    ConvertError::value_error(format!(
        "malformed node or string on line {}: <ast.{} object>",
        node.line(),
        node.class_name()
    ))
}

/// `literal_eval`'s `_convert`.
pub(super) fn convert(node: &Node) -> Result<PyValue, ConvertError> {
    match node {
        Node::Const(lit, _) => constant(lit),
        Node::Tuple(items, _) => Ok(PyValue::Tuple(convert_all(items)?)),
        Node::List(items, _) => Ok(PyValue::List(convert_all(items)?)),
        Node::Set(items, _) => {
            let mut set = Vec::new();
            let mut index = KeyIndex::default();
            for item in items {
                let value = convert(item)?;
                check_hashable(&value)?;
                if index.find(&set, &value, |v| v).is_none() {
                    index.add(&value, set.len());
                    set.push(value);
                }
            }
            Ok(PyValue::Set(set))
        }
        Node::Call {
            func, n_args: 0, ..
        } if matches!(&**func, Node::Name(n, _) if n == "set") => Ok(PyValue::Set(Vec::new())),
        Node::Dict(entries, _) => {
            let mut dict: Vec<(PyValue, PyValue)> = Vec::new();
            let mut index = KeyIndex::default();
            for (key, value) in entries {
                let Some(key) = key else {
                    return Err(ConvertError::value_error("malformed node or string: None"));
                };
                let key = convert(key)?;
                let value = convert(value)?;
                check_hashable(&key)?;
                match index.find(&dict, &key, |(k, _)| k) {
                    Some(at) => dict[at].1 = value,
                    None => {
                        index.add(&key, dict.len());
                        dict.push((key, value));
                    }
                }
            }
            Ok(PyValue::Dict(dict))
        }
        Node::BinOp(op @ (BinOp::Add | BinOp::Sub), left, right, _) => {
            let l = convert_signed_num(left)?;
            let r = convert_num(right)?;
            if let (Num::Int(_) | Num::Big(_) | Num::Float(_), Num::Complex(re, im)) = (&l, &r) {
                let l = as_float(&l)?;
                return Ok(match op {
                    BinOp::Add => PyValue::Complex(l + re, 0.0 + im),
                    _ => PyValue::Complex(l - re, 0.0 - im),
                });
            }
            num_value(convert_signed_num(node)?)
        }
        _ => num_value(convert_signed_num(node)?),
    }
}

fn convert_all(items: &[Node]) -> Result<Vec<PyValue>, ConvertError> {
    items.iter().map(convert).collect()
}

fn constant(lit: &Lit) -> Result<PyValue, ConvertError> {
    Ok(match lit {
        Lit::None => PyValue::None,
        Lit::Bool(b) => PyValue::Bool(*b),
        Lit::Int(IntLit::Small(i)) => return num_value(Num::Int(*i)),
        Lit::Int(IntLit::Big(text)) => return num_value(Num::Big(text.clone())),
        Lit::Float(x) => PyValue::Float(*x),
        Lit::Imag(x) => PyValue::Complex(0.0, *x),
        Lit::Str(s) => PyValue::Str(s.clone()),
        Lit::Bytes(b) => PyValue::Bytes(b.clone()),
        Lit::Ellipsis => {
            return Err(ConvertError::value_error(
                "Ellipsis (`...`) is not a supported value",
            ));
        }
    })
}

/// `_convert_signed_num`.
fn convert_signed_num(node: &Node) -> Result<Num, ConvertError> {
    if let Node::UnaryOp(op @ (UnOp::Plus | UnOp::Minus), operand, _) = node {
        let n = convert_num(operand)?;
        return Ok(if *op == UnOp::Plus {
            n
        } else {
            match n {
                Num::Int(i) => Num::Int(-i),
                Num::Big(text) => Num::Big(format!("-{text}")),
                Num::Float(x) => Num::Float(-x),
                Num::Complex(re, im) => Num::Complex(-re, -im),
            }
        });
    }
    convert_num(node)
}

/// `_convert_num`: an `int`, `float` or `complex` constant (not `bool`).
fn convert_num(node: &Node) -> Result<Num, ConvertError> {
    match node {
        Node::Const(Lit::Int(IntLit::Small(i)), _) => Ok(Num::Int(*i)),
        Node::Const(Lit::Int(IntLit::Big(text)), _) => Ok(Num::Big(text.clone())),
        Node::Const(Lit::Float(x), _) => Ok(Num::Float(*x)),
        Node::Const(Lit::Imag(x), _) => Ok(Num::Complex(0.0, *x)),
        _ => Err(malformed(node)),
    }
}

fn as_float(n: &Num) -> Result<f64, ConvertError> {
    match n {
        Num::Int(i) => Ok(*i as f64),
        Num::Big(text) => text
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| ConvertError::new("OverflowError", "int too large to convert to float")),
        Num::Float(x) => Ok(*x),
        Num::Complex(re, _) => Ok(*re),
    }
}

fn num_value(n: Num) -> Result<PyValue, ConvertError> {
    let too_big = |text: String| {
        ConvertError::value_error(format!(
            "the integer {text} is out of range for a 64-bit integer \
             (-9223372036854775808..9223372036854775807)"
        ))
    };
    match n {
        Num::Int(i) => i64::try_from(i)
            .map(|i| PyValue::Int(i.into()))
            .map_err(|_| too_big(i.to_string())),
        Num::Big(text) => Err(too_big(text)),
        Num::Float(x) => Ok(PyValue::Float(x)),
        Num::Complex(re, im) => Ok(PyValue::Complex(re, im)),
    }
}

/// Where the keys of a dict (or the elements of a set) being built are, by a hash
/// consistent with [`py_eq`], so that building one takes linear time, not quadratic.
#[derive(Default)]
struct KeyIndex {
    positions: std::collections::HashMap<HashKey, Vec<usize>>,
}

impl KeyIndex {
    /// The position in `items` of the entry whose key (`key_of`) equals `key`.
    fn find<T>(
        &self,
        items: &[T],
        key: &PyValue,
        key_of: impl Fn(&T) -> &PyValue,
    ) -> Option<usize> {
        self.positions
            .get(&HashKey::of(key))?
            .iter()
            .copied()
            .find(|&at| py_eq(key_of(&items[at]), key))
    }

    /// Records that `key` is at `position`.
    fn add(&mut self, key: &PyValue, position: usize) {
        self.positions
            .entry(HashKey::of(key))
            .or_default()
            .push(position);
    }
}

/// A hash key of a hashable value: values that are [`py_eq`] have equal keys (numbers
/// of every kind by their complex value, `-0.0` as `0.0`); unequal values may share one.
#[derive(PartialEq, Eq, Hash)]
enum HashKey {
    None,
    Number(u64, u64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<HashKey>),
    Other,
}

impl HashKey {
    fn of(v: &PyValue) -> HashKey {
        let bits = |x: f64| if x == 0.0 { 0 } else { x.to_bits() };
        match v {
            PyValue::None => HashKey::None,
            PyValue::Bool(b) => HashKey::Number(bits(f64::from(u8::from(*b))), 0),
            PyValue::Int(i) => HashKey::Number(bits(*i as f64), 0),
            PyValue::Float(x) => HashKey::Number(bits(*x), 0),
            PyValue::Complex(re, im) => HashKey::Number(bits(*re), bits(*im)),
            PyValue::Str(s) => HashKey::Str(s.clone()),
            PyValue::Bytes(b) => HashKey::Bytes(b.clone()),
            PyValue::Tuple(items) => HashKey::Tuple(items.iter().map(HashKey::of).collect()),
            _ => HashKey::Other,
        }
    }
}

/// Python's `hash()` precondition: lists, dicts and sets (also inside tuples) are
/// unhashable.
fn check_hashable(v: &PyValue) -> Result<(), ConvertError> {
    let unhashable = |name: &str| ConvertError::type_error(format!("unhashable type: '{name}'"));
    match v {
        PyValue::List(_) => Err(unhashable("list")),
        PyValue::Dict(_) => Err(unhashable("dict")),
        PyValue::Set(_) => Err(unhashable("set")),
        PyValue::Tuple(items) => items.iter().try_for_each(check_hashable),
        _ => Ok(()),
    }
}

/// Python `==` on hashable values (numbers compare across `bool`/`int`/`float`/`complex`).
pub(super) fn py_eq(a: &PyValue, b: &PyValue) -> bool {
    #[cfg(test)]
    COMPARISONS.with(|c| c.set(c.get() + 1));
    fn as_complex(v: &PyValue) -> Option<(f64, f64)> {
        match v {
            PyValue::Bool(b) => Some((f64::from(u8::from(*b)), 0.0)),
            PyValue::Int(i) => Some((*i as f64, 0.0)),
            PyValue::Float(x) => Some((*x, 0.0)),
            PyValue::Complex(re, im) => Some((*re, *im)),
            _ => None,
        }
    }
    match (a, b) {
        (PyValue::Int(x), PyValue::Int(y)) => x == y,
        (PyValue::Int(i), PyValue::Float(x)) | (PyValue::Float(x), PyValue::Int(i)) => {
            // Exact comparison, as Python does for int vs float.
            x.fract() == 0.0 && *x >= -9.3e18 && *x <= 9.3e18 && (*x as i128) == *i
        }
        (PyValue::Str(x), PyValue::Str(y)) => x == y,
        (PyValue::Bytes(x), PyValue::Bytes(y)) => x == y,
        (PyValue::None, PyValue::None) => true,
        (PyValue::Tuple(x), PyValue::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| py_eq(a, b))
        }
        _ => match (as_complex(a), as_complex(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

#[cfg(test)]
thread_local! {
    /// How many times [`py_eq`] ran on this thread (tests measure the work of a parse).
    pub(super) static COMPARISONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}
