"""Prints one JSON line per (pattern, flags, text): Python `re`'s groups count, the
first search's span and groups, and findall (group 1, or the match) — for
tests/formats/pyre.rs."""
import json
import re

SUBJECT = r'^\[SHADOW\] (.*?)(?: Report)?: \d{4}-\d{2}-\d{2}$'
LINK = r'href="((?!last\.csv)[^"]+\.csv)"'
CASES = [
    (SUBJECT, 'MS', '[SHADOW] Sinkhole HTTP Report: 2024-01-02'),
    (SUBJECT, 'MS', 'Fwd:\n[SHADOW] Open DNS: 2024-01-02\nmore'),
    (SUBJECT, '', '[SHADOW] Open DNS: 2024-01-02\n'),
    (SUBJECT, '', '[SHADOW] Open DNS: 2024-01-02\n\n'),
    (LINK, '', '<a href="last.csv">x</a> <a href="2024-01-01_10-00-00.csv">y</a><a href="b.txt"><a href="c.csv">'),
    (r'(https?://\S+)', 'MS', 'Download:\r\nhttps://dl.shadowserver.org/abc?x=1\r\nBye'),
    (r'a.c', '', 'a\nc abc'), (r'a.c', 'MS', 'a\nc abc'),
    (r'^b$', '', 'a\nb\n'), (r'^b$', 'MS', 'a\nb\n'), (r'x\Z', '', 'x\n'), (r'x\Z', '', 'ax'),
    (r'(?P<q>["\']).*?(?P=q)', '', 'say "hi" or \'yo\''), (r'a{', '', 'a{b'), (r'a{,2}b', '', 'aaab'),
    (r'x{2,}', '', 'xxxx'), (r'{}', '', 'a{}'), (r'(?<=@)\w+', '', 'mail@żółw.pl'),
    (r'[]a]+', '', 'x]a]y'), (r'[^]]+', '', ']abc]'), (r'\d+', '', 'x٣٤5'), (r'(?i)ŻÓŁW', '', 'żółw'),
    (r'(a)|(b)', '', 'b'), (r'(\w+)@(\w+)', '', 'a@b c@d'), (r'\bfoo\b', '', 'foo.bar foobar'),
    (r'(?s:.)+', '', 'a\nb'), (r'\$\d', '', 'cost $5'), (r'[$]x', '', '$x'),
]

for pattern, flags, text in CASES:
    f = (re.M if 'M' in flags else 0) | (re.S if 'S' in flags else 0)
    r = re.compile(pattern, f)
    m = r.search(text)
    found = [x if isinstance(x, str) else x[0] for x in r.findall(text)]
    print(json.dumps({
        'pattern': pattern, 'flags': flags, 'text': text, 'groups': r.groups,
        'search': None if m is None else [list(m.span()), [m.group(i) for i in range(r.groups + 1)]],
        'findall': found,
    }))
