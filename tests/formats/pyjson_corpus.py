"""Generates the Python-side corpus of tests/formats/pyjson.rs.

Prints one JSON line per case: {"text": a JSON document, "ascii": json.dumps(json.loads(text)),
"utf8": json.dumps(..., ensure_ascii=False)} or, for a document Python refuses,
{"text": ..., "error": str(exception)}. Arguments: files whose text is added as cases.
"""
import json
import random
import sys

rng = random.Random(20240613)


def rand_str():
    pools = [
        lambda: chr(rng.randrange(0x20, 0x7F)),
        lambda: chr(rng.randrange(0, 0x20)),
        lambda: chr(0x7F),
        lambda: chr(rng.randrange(0xA0, 0x800)),
        lambda: chr(rng.choice([rng.randrange(0x800, 0xD800), rng.randrange(0xE000, 0x10000)])),
        lambda: chr(rng.randrange(0x10000, 0x110000)),
        lambda: rng.choice(['"', '\\', '/', '\u2028', '\ufeff', '\u00e9']),
    ]
    return ''.join(rng.choice(pools)() for _ in range(rng.randrange(0, 12)))


def rand_float():
    kind = rng.randrange(6)
    if kind == 0:
        import struct
        while True:
            x = struct.unpack('<d', rng.getrandbits(64).to_bytes(8, 'little'))[0]
            if x == x:
                return x
    if kind == 1:
        return rng.choice([0.0, -0.0, 1.0, 1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 0.1, 1/3, 5e-324, 1.7976931348623157e308, 123456789.125])
    if kind == 2:
        return rng.choice([float('inf'), float('-inf'), float('nan')])
    if kind == 3:
        return rng.uniform(-1e6, 1e6)
    if kind == 4:
        return float(rng.randrange(-10**18, 10**18))
    return rng.random() * 10 ** rng.randrange(-30, 30)


def rand_value(depth=0):
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -1, 2**63, -2**63 - 1, 10**40, rng.randrange(-10**6, 10**6)])
    if kind == 2:
        return rand_float()
    if kind in (3, 4, 5):
        return rand_str()
    if kind in (6, 7):
        return {rand_str(): rand_value(depth + 1) for _ in range(rng.randrange(0, 5))}
    return [rand_value(depth + 1) for _ in range(rng.randrange(0, 5))]


texts = []
for _ in range(400):
    v = rand_value()
    texts.append(json.dumps(v, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, None, 2, '\t'])))
texts += [
    '{"b": 1, "a": 2, "b": 3}', '{"a": {"x": 1}, "a": [2]}', ' [1E5, 1e-7, 1.5E+300, 1e400, -1e400, -0, -0.0, 0.0] ',
    '[NaN, Infinity, -Infinity]', '"\\u00E9\\u00e9\\/\\ud83d\\ude00\\uD83D\\uDE00"', '\t\r\n{}\n',
    '[12345678901234567890123456789012345678901234567890, -98765432109876543210]',
    '[0.1, 0.2, 0.30000000000000004, 100.0, 1.0e2, 2.5e-5, 1e22, 1e21, 123e-2]',
    '{"k\\u0000": "\\b\\f\\n\\r\\t\\"\\\\"}', '"\u007f\u0080\u2028"', '[]', '""', 'null', '1', '-5', '3.0',
    # errors
    '', ' ', '[1,]', '{"a":1,}', '{"a" 1}', '{a: 1}', '[1 2]', '[1] x', '01', '1.', '-', '.5', '"abc', '"a\tb"',
    '"\\x41"', '"\\u12"', '"\\u12G4"', '{"a":1', '[', 'nul', 'tru', '[1,\n  2,\n  ]', '\ufeff[]', 'Nan', '+1',
    '{"a":1}\n\n{"b": 2}', '"\\', '[1,\n2 3]', '1' * 4301, '[' + '1' * 4300 + ']',
]
for path in sys.argv[1:]:
    with open(path, encoding='utf-8', newline='') as f:
        texts.append(f.read())

for text in texts:
    try:
        v = json.loads(text)
        case = {'text': text, 'ascii': json.dumps(v), 'utf8': json.dumps(v, ensure_ascii=False)}
    except Exception as exc:
        case = {'text': text, 'error': str(exc)}
    print(json.dumps(case))
