"""Generates the Python-side cases of tests/formats/archive.rs.

Prints one JSON line per case: {"op", "input" (base64), "arg", "limit", and "output"
(base64) or "error" (the Python exception class, or "TooLarge" for a bomb)}. The
operations are n6's own expressions (n6lib.unpacking_helpers.iter_unzip_from_bytes,
the collectors' zipfile/bz2/gzip calls), run here on the same bytes.
"""
import base64
import bz2
import gzip
import io
import json
import os
import zipfile


def iter_unzip_from_bytes(zipped, filenames=None):
    # n6lib.unpacking_helpers.iter_unzip_from_bytes (without password/dirs options)
    if filenames is not None:
        filenames = frozenset(filenames)
    zfile = zipfile.ZipFile(io.BytesIO(zipped))
    for fullname in zfile.namelist():
        basename = os.path.basename(fullname) if fullname else fullname
        if filenames is None or basename in filenames:
            yield basename, zfile.read(fullname)


def one_named(data, name):
    [(_, content)] = iter_unzip_from_bytes(data, filenames=[name])
    return content


def only_member(data, _):
    [(_, content)] = iter_unzip_from_bytes(data)
    return content


def first_member(data, _):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(zf.namelist()[0])


def member(data, name):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def bz2_or_raw(data, _):
    try:
        return bz2.decompress(data)
    except IOError:
        return data


def gunzip_if_magic(data, _):
    if data[:2] == b'\x1f\x8b':
        return gzip.GzipFile(fileobj=io.BytesIO(data)).read()
    return data


OPS = {
    'unzip_one_named': one_named,
    'unzip_only_member': only_member,
    'unzip_first_member': first_member,
    'unzip_member': member,
    'bz2_decompress': lambda d, _: bz2.decompress(d),
    'bz2_decompress_or_raw': bz2_or_raw,
    'gunzip': lambda d, _: gzip.decompress(d),
    'gunzip_if_magic': gunzip_if_magic,
}


def make_zip(entries, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', method) as zf:
        for name, data in entries:
            if name.endswith('/'):
                zf.writestr(zipfile.ZipInfo(name), b'')
            else:
                zf.writestr(name, data)
    return buf.getvalue()


text = b'first,row\nsecond,row\n' * 20
one = make_zip([('csv.txt', text)])
nested = make_zip([('dir/', b''), ('dir/csv.txt', text), ('other.txt', b'x')])
two_same = make_zip([('a/csv.txt', b'A'), ('b/csv.txt', b'B')])
stored = make_zip([('payload.txt', text), ('second', b'2')], zipfile.ZIP_STORED)
bz2zip = make_zip([('ü-name.bin', text)], zipfile.ZIP_BZIP2)
empty_zip = make_zip([])
bz = bz2.compress(text)
gz = gzip.compress(text, mtime=0)
bomb = b'\0' * (4 << 20)

cases = [
    ('unzip_one_named', one, 'csv.txt'), ('unzip_one_named', nested, 'csv.txt'),
    ('unzip_one_named', two_same, 'csv.txt'), ('unzip_one_named', one, 'missing.txt'),
    ('unzip_one_named', b'not a zip', 'csv.txt'), ('unzip_one_named', bz2zip, 'ü-name.bin'),
    ('unzip_only_member', one, None), ('unzip_only_member', nested, None),
    ('unzip_only_member', empty_zip, None), ('unzip_only_member', make_zip([('d/', b'')]), None),
    ('unzip_first_member', stored, None), ('unzip_first_member', nested, None),
    ('unzip_first_member', empty_zip, None),
    ('unzip_member', stored, 'second'), ('unzip_member', nested, 'dir/csv.txt'),
    ('unzip_member', nested, 'csv.txt'),
    ('bz2_decompress', bz, None), ('bz2_decompress', bz + bz, None),
    ('bz2_decompress', bz + b'trailing garbage', None), ('bz2_decompress', bz + bz[:40], None),
    ('bz2_decompress', bz[:-5], None), ('bz2_decompress', b'hello', None),
    ('bz2_decompress', b'', None), ('bz2_decompress', b'BZh9' + b'\x00' * 20, None),
    ('bz2_decompress', b'BZ', None),
    ('bz2_decompress_or_raw', bz, None), ('bz2_decompress_or_raw', text, None),
    ('bz2_decompress_or_raw', bz[:-5], None), ('bz2_decompress_or_raw', b'BZh91AY&SY garbage', None),
    ('gunzip', gz, None), ('gunzip', gz + gz, None), ('gunzip', gz + b'\0\0\0', None),
    ('gunzip', gz + b'junk', None), ('gunzip', gz[:-3], None), ('gunzip', b'', None),
    ('gunzip', gz[:-8] + b'\0\0\0\0' + gz[-4:], None),
    ('gunzip_if_magic', gz, None), ('gunzip_if_magic', text, None), ('gunzip_if_magic', b'', None),
]
bombs = [
    ('unzip_one_named', make_zip([('csv.txt', bomb)]), 'csv.txt'),
    ('unzip_only_member', make_zip([('csv.txt', bomb)]), None),
    ('unzip_first_member', make_zip([('csv.txt', bomb)]), None),
    ('unzip_member', make_zip([('csv.txt', bomb)]), 'csv.txt'),
    ('bz2_decompress', bz2.compress(bomb), None),
    ('bz2_decompress_or_raw', bz2.compress(bomb), None),
    ('gunzip', gzip.compress(bomb), None),
    ('gunzip', gzip.compress(bomb[:3 << 20]) * 2, None),
    ('gunzip_if_magic', gzip.compress(bomb), None),
]

b64 = lambda b: base64.b64encode(b).decode()
for op, data, arg in cases:
    case = {'op': op, 'input': b64(data), 'arg': arg, 'limit': None}
    try:
        case['output'] = b64(OPS[op](data, arg))
    except Exception as exc:
        case['error'] = type(exc).__name__
    print(json.dumps(case))
for op, data, arg in bombs:
    # (Python has no limit: it returns all 4 MiB; the port must refuse at 1 MiB)
    assert len(OPS[op](data, arg)) > 1 << 20
    print(json.dumps({'op': op, 'input': b64(data), 'arg': arg, 'limit': 1 << 20, 'error': 'TooLarge'}))
