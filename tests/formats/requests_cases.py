"""Prints, as one JSON line per case, how Python's `requests` prepares a request:
{"kind": "form"|"query"|"json", "url", "fields" or "json", "prepared_url", "body", "content_type"}
or {"error": ...}. Field values are typed: {"str"}, {"bytes"} (latin-1 text), {"int"},
{"float"}, {"bool"}, {"none"}, {"list": [...]}.

Uses `requests.Request(...).prepare()` when `requests` is installed; otherwise the same
steps with the standard library (`RequestEncodingMixin._encode_params` is
`urlencode(pairs-as-utf8-bytes, doseq=True)`, `requote_uri` is re-implemented below)."""
import json
import sys
from urllib.parse import quote, urlencode

BASE = sys.argv[1]


def value(v):
    (kind, x), = v.items()
    return {'str': lambda: x, 'bytes': lambda: x.encode('latin-1'), 'int': lambda: x,
            'float': lambda: float(x), 'bool': lambda: x, 'none': lambda: None,
            'list': lambda: [value(i) for i in x]}[kind]()


FORMS = [
    [['urlid', {'int': 123}]],
    [['sha256_hash', {'str': '0a1b' * 16}]],
    [['q', {'str': 'a b&c=d/e?f#g+h%i'}], ['u', {'str': 'żółć €𝄞'}], ['tilde', {'str': '~_.-*!\'()'}]],
    [['skip', {'none': None}], ['k', {'list': [{'str': 'x'}, {'none': None}, {'int': -5}]}], ['k', {'str': 'again'}]],
    [['f', {'float': 1e16}], ['g', {'float': 0.1}], ['h', {'float': 3.0}], ['t', {'bool': True}], ['b', {'bytes': 'r\xe9sum\xe9 '}]],
    [['ключ key', {'str': 'v'}], ['', {'str': ''}]],
]
URLS = [
    '/path', '/path?a=1', '/path?', '/path?a=1#frag', '/p a/ż?x=ü&y=%7e%41%2F', '/p?q=%zz&r= s',
    "/p/!$&'()*+,;=:@[]~", '/p%20q', '/a/./b/../c?x=%7e%zz', '/a/b/..', '/x?q=[1]{2}|^`#f r[]',
    '/%7e%41/%c5%bc?a=%2f#%2F', '/x?a=1&b=2#', '/a\\b',
]
JSONS = ['{"pagination": {"page": 1, "per_page": 50}, "filter": {"protocol": "ż"}}',
         '[1.5, 1e16, null, true, "\\ud83d\\ude00"]', '{"bad": NaN}']

try:
    import requests

    def prepare(**kw):
        p = requests.Request(**kw).prepare()
        body = p.body if isinstance(p.body, (bytes, type(None))) else p.body.encode('latin-1')
        return p.url, body, p.headers.get('Content-Type')
except ImportError:
    from urllib.parse import unquote  # noqa

    UNRESERVED = set('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~')

    def unquote_unreserved(uri):
        parts = uri.split('%')
        for i in range(1, len(parts)):
            h = parts[i][0:2]
            if len(h) == 2 and h.isalnum():
                c = chr(int(h, 16))
                parts[i] = c + parts[i][2:] if c in UNRESERVED else f'%{parts[i]}'
            else:
                parts[i] = f'%{parts[i]}'
        return ''.join(parts)

    def requote_uri(uri):
        try:
            return quote(unquote_unreserved(uri), safe="!#$%&'()*+,/:;=?@[]~")
        except ValueError:
            return quote(uri, safe="!#$&'()*+,/:;=?@[]~")

    def encode(data):
        result = []
        for k, vs in data:
            if isinstance(vs, (str, bytes)) or not hasattr(vs, '__iter__'):
                vs = [vs]
            for v in vs:
                if v is not None:
                    result.append((k.encode() if isinstance(k, str) else k, v.encode() if isinstance(v, str) else v))
        return urlencode(result, doseq=True)

    def prepare(method, url, data=None, params=None, json=None):
        import json as j
        enc = encode(params or [])
        base, _, frag = url.partition('#')
        if enc:
            path, q, query = base.partition('?')
            base = f'{path}?{query}&{enc}' if query else f'{path}?{enc}'
        url = requote_uri(base + ('#' + frag if frag else ''))
        if json is not None:
            return url, j.dumps(json, allow_nan=False).encode(), 'application/json'
        if data:
            return url, encode(data).encode(), 'application/x-www-form-urlencoded'
        return url, None, None

for fields in FORMS:
    pairs = [(k, value(v)) for k, v in fields]
    url, body, ctype = prepare(method='POST', url=BASE + '/form', data=pairs)
    print(json.dumps({'kind': 'form', 'url': BASE + '/form', 'fields': fields, 'prepared_url': url,
                      'body': body.decode('ascii'), 'content_type': ctype}))
    url, body, ctype = prepare(method='GET', url=BASE + '/q?x=1', params=pairs)
    print(json.dumps({'kind': 'query', 'url': BASE + '/q?x=1', 'fields': fields, 'prepared_url': url}))
for u in URLS:
    url, _, _ = prepare(method='GET', url=BASE + u, params=[('p', 'v w')])
    print(json.dumps({'kind': 'query', 'url': BASE + u, 'fields': [['p', {'str': 'v w'}]], 'prepared_url': url}))
    url, _, _ = prepare(method='GET', url=BASE + u)
    print(json.dumps({'kind': 'query', 'url': BASE + u, 'fields': [], 'prepared_url': url}))
for text in JSONS:
    try:
        url, body, ctype = prepare(method='POST', url=BASE + '/json', json=json.loads(text))
        print(json.dumps({'kind': 'json', 'url': BASE + '/json', 'json': text, 'body': body.decode('ascii'),
                          'content_type': ctype}))
    except Exception as exc:  # requests' InvalidJSONError, json's ValueError
        print(json.dumps({'kind': 'json', 'url': BASE + '/json', 'json': text, 'error': str(exc)}))
