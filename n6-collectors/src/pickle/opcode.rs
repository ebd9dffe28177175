//! The pickle opcodes by their names in CPython's `pickletools` (`Lib/pickletools.py`).

/// `PROTO`.
pub(crate) const PROTO: u8 = 0x80;
/// `FRAME`.
pub(crate) const FRAME: u8 = 0x95;
/// `MARK`.
pub(crate) const MARK: u8 = b'(';
/// `POP`.
pub(crate) const POP: u8 = b'0';
/// `POP_MARK`.
pub(crate) const POP_MARK: u8 = b'1';
/// `DUP`.
pub(crate) const DUP: u8 = b'2';
/// `PUT`.
pub(crate) const PUT: u8 = b'p';
/// `BINPUT`.
pub(crate) const BINPUT: u8 = b'q';
/// `LONG_BINPUT`.
pub(crate) const LONG_BINPUT: u8 = b'r';
/// `MEMOIZE`.
pub(crate) const MEMOIZE: u8 = 0x94;
/// `GET`.
pub(crate) const GET: u8 = b'g';
/// `BINGET`.
pub(crate) const BINGET: u8 = b'h';
/// `LONG_BINGET`.
pub(crate) const LONG_BINGET: u8 = b'j';
/// `NONE`.
pub(crate) const NONE: u8 = b'N';
/// `NEWTRUE`.
pub(crate) const NEWTRUE: u8 = 0x88;
/// `NEWFALSE`.
pub(crate) const NEWFALSE: u8 = 0x89;
/// `BININT`.
pub(crate) const BININT: u8 = b'J';
/// `BININT1`.
pub(crate) const BININT1: u8 = b'K';
/// `BININT2`.
pub(crate) const BININT2: u8 = b'M';
/// `LONG1`.
pub(crate) const LONG1: u8 = 0x8a;
/// `LONG4`.
pub(crate) const LONG4: u8 = 0x8b;
/// `BINFLOAT`.
pub(crate) const BINFLOAT: u8 = b'G';
/// `BINUNICODE`.
pub(crate) const BINUNICODE: u8 = b'X';
/// `SHORT_BINUNICODE`.
pub(crate) const SHORT_BINUNICODE: u8 = 0x8c;
/// `BINUNICODE8`.
pub(crate) const BINUNICODE8: u8 = 0x8d;
/// `BINSTRING`.
pub(crate) const BINSTRING: u8 = b'T';
/// `SHORT_BINSTRING`.
pub(crate) const SHORT_BINSTRING: u8 = b'U';
/// `BINBYTES`.
pub(crate) const BINBYTES: u8 = b'B';
/// `SHORT_BINBYTES`.
pub(crate) const SHORT_BINBYTES: u8 = b'C';
/// `BINBYTES8`.
pub(crate) const BINBYTES8: u8 = 0x8e;
/// `BYTEARRAY8`.
pub(crate) const BYTEARRAY8: u8 = 0x96;
/// `EMPTY_LIST`.
pub(crate) const EMPTY_LIST: u8 = b']';
/// `EMPTY_TUPLE`.
pub(crate) const EMPTY_TUPLE: u8 = b')';
/// `EMPTY_DICT`.
pub(crate) const EMPTY_DICT: u8 = b'}';
/// `EMPTY_SET`.
pub(crate) const EMPTY_SET: u8 = 0x8f;
/// `LIST`.
pub(crate) const LIST: u8 = b'l';
/// `TUPLE`.
pub(crate) const TUPLE: u8 = b't';
/// `DICT`.
pub(crate) const DICT: u8 = b'd';
/// `FROZENSET`.
pub(crate) const FROZENSET: u8 = 0x91;
/// `APPEND`.
pub(crate) const APPEND: u8 = b'a';
/// `APPENDS`.
pub(crate) const APPENDS: u8 = b'e';
/// `SETITEM`.
pub(crate) const SETITEM: u8 = b's';
/// `SETITEMS`.
pub(crate) const SETITEMS: u8 = b'u';
/// `ADDITEMS`.
pub(crate) const ADDITEMS: u8 = 0x90;
/// `GLOBAL`.
pub(crate) const GLOBAL: u8 = b'c';
/// `STACK_GLOBAL`.
pub(crate) const STACK_GLOBAL: u8 = 0x93;
/// `REDUCE`.
pub(crate) const REDUCE: u8 = b'R';
/// `NEWOBJ`.
pub(crate) const NEWOBJ: u8 = 0x81;
/// `BUILD`.
pub(crate) const BUILD: u8 = b'b';
/// `STOP`.
pub(crate) const STOP: u8 = b'.';
/// `TUPLE1`.
pub(crate) const TUPLE1: u8 = 0x85;
/// `TUPLE2`.
pub(crate) const TUPLE2: u8 = 0x86;
/// `TUPLE3`.
pub(crate) const TUPLE3: u8 = 0x87;
/// `FLOAT`.
pub(crate) const FLOAT: u8 = b'F';
/// `INT`.
pub(crate) const INT: u8 = b'I';
/// `LONG`.
pub(crate) const LONG: u8 = b'L';
/// `STRING`.
pub(crate) const STRING: u8 = b'S';
/// `UNICODE`.
pub(crate) const UNICODE: u8 = b'V';
/// `PERSID`.
pub(crate) const PERSID: u8 = b'P';
/// `BINPERSID`.
pub(crate) const BINPERSID: u8 = b'Q';
/// `INST`.
pub(crate) const INST: u8 = b'i';
/// `OBJ`.
pub(crate) const OBJ: u8 = b'o';
/// `EXT1`.
pub(crate) const EXT1: u8 = 0x82;
/// `EXT2`.
pub(crate) const EXT2: u8 = 0x83;
/// `EXT4`.
pub(crate) const EXT4: u8 = 0x84;
/// `NEWOBJ_EX`.
pub(crate) const NEWOBJ_EX: u8 = 0x92;
/// `NEXT_BUFFER`.
pub(crate) const NEXT_BUFFER: u8 = 0x97;
/// `READONLY_BUFFER`.
pub(crate) const READONLY_BUFFER: u8 = 0x98;
