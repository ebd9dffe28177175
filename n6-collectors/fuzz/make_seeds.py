#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into corpus/<target>/seed-*.

Run from this directory: python3 make_seeds.py. Stdlib only; the CBOR encoder below
covers what the state envelope uses (see n6-collectors/src/state/envelope.rs).
"""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        try:
            return bytes([major << 5 | ai]) + struct.pack(fmt, n)
        except struct.error:
            continue
    raise ValueError(n)


def cbor(v):
    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        return head(5, len(v)) + b"".join(cbor(k) + cbor(x) for k, x in v.items())
    raise TypeError(v)


TAG = b"\xd9\xd9\xf7"
STATE = {
    "lines": 42,
    "last": "2026-11-24 08:00:00",
    "seen": ["a", "b"],
    "digest": b"\x00\x01\xfe\xff",
    "counts": {"x": 1, "y": -2},
    "ratio": 0.5,
}


def envelope(schema=2, collector="fuzz.FuzzCollector", state=STATE, ev=1, extra=()):
    entries = [
        ("format", "n6-collectors-state"),
        ("envelope_version", ev),
        ("collector", collector),
        ("schema_version", schema),
        ("saved_at", "2026-11-24T09:00:00Z"),
        ("written_by", "fuzz (n6-collectors 0.1.0)"),
        *extra,
        ("state", state),
    ]
    body = b"".join(cbor(k) + cbor(v) for k, v in entries)
    return TAG + head(5, len(entries)) + body


def indefinite(schema=2):
    entries = [
        ("format", "n6-collectors-state"),
        ("collector", "fuzz.FuzzCollector"),
        ("schema_version", schema),
        ("envelope_version", 1),
        ("written_by", "fuzz"),
        ("saved_at", "2026-11-24T09:00:00+01:00"),
        ("state", STATE),
    ]
    return TAG + b"\xbf" + b"".join(cbor(k) + cbor(v) for k, v in entries) + b"\xff"


STATE_SEEDS = {
    "valid-v2": envelope(),
    "migrate-v1": envelope(schema=1),
    "newer-schema-v3": envelope(schema=3),
    "schema-v0": envelope(schema=0),
    "other-collector": envelope(collector="other.OtherCollector"),
    "newer-envelope": envelope(ev=2),
    "unknown-header-key": envelope(extra=[("comment", ["x", 1, None])]),
    "indefinite-map": indefinite(),
    "wrong-shape": envelope(state=[1, 2, 3]),
    "trailing-bytes": envelope() + b"\x00",
    "truncated": envelope()[:50],
    "tagged-payload": envelope(state=None)[:-1] + b"\xc1\x1a\x00\x00\x00\x00",
    "empty": b"",
}

INI_SEEDS = {
    "basic": b"[rabbitmq]\nhost = localhost\nport = 5671\npassword = s3cr%%t\n",
    "interpolation": b"[DEFAULT]\nbase = /var/lib/n6\n[Coll]\nstate_dir = %(base)s/state\n"
    b"cache = %(state_dir)s/cache\n",
    "continuation": b"[Coll]\nurls =\n    https://a.example\n\n    https://b.example\n"
    b"; comment\n# comment\nempty = \"\"\n",
    "two-files": b"[A]\nx = 1\n[B]\ny = %(x)s\n\x00[A]\nx = 2\nz = %(y)s\n",
    "errors": b"no header\n\x00[A]\n= value\njunk line\n[A\nk = %(missing)s\nbad = 100%\n",
    "bom-crlf": b"\xef\xbb\xbf[A]\r\nkey : value\r\nKey2=V\r\n\r\n",
    "invalid-utf8": b"[A]\nk = \xff\xfe\n",
}

SPEC_SEEDS = {
    "collector": """
        url :: str
        download_timeout = (12.1, 30) :: download_timeout
        retries = 3 :: int
        verify = yes :: bool
        since = 2024-01-01 :: date
        last = 2024-01-01T10:00:00+02:00 :: datetime
        dirs = /a, /b :: list_of_path
        ratio = 1.5e3 :: float
    """,
    "sections": """
        [rabbitmq]
        host :: str
        port = 5671 :: int
        password = :: str
        ... :: str

        [extra]
        tags = ["a", 1, {"k": null}] :: json
        opts = {'a': (1, 2.5, b'x'), 'b': {1, 2}} :: py
        ns = {'x': {'y': 1}} :: py_namespaces_dict
        names = a, b, c :: list_of_str
        flags = yes, no :: list_of_bool
        nums = 1, -2, 0x10 :: list_of_int
        days = 2024-01-01, 2024-02-29 :: list_of_date
        when = 2024-01-01 00:00, 2024-01-02T10:00Z :: list_of_datetime
        raw = bytes here :: bytes
        floats = 1.0, inf :: list_of_float
        blob = x :: list_of_bytes
    """,
    # Hung the py converter (pyliteral: a lambda running into a tokenizer error).
    "lambda-hang": "SSS|=lambda =CSSSSs =5%0}} :: py\n   ",
    "errors": """
        [a]
        x = 1 :: int
        x = 2 :: int
        [a]
        ; comment
        broken line
        y = :: no_such_converter
        name with space :: str
        z = 1 :: int :: str
    """,
}


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(d, "seed-" + name), "wb") as f:
            f.write(data)


write("state_decoder", STATE_SEEDS)
write("ini_reader", INI_SEEDS)
write("config_spec", SPEC_SEEDS)
