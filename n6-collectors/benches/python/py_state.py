#!/usr/bin/env python3
"""Peer baseline for benchmark 3 (large state): n6-style state persistence in Python (pickle, atomic tmp+rename, like
StatefulCollectorMixin).  Usage: py_state_baseline.py DIR N_ENTRIES
Loads DIR/state.pickle (default state if missing), adds N_ENTRIES fresh 40-char ids to a
set, saves atomically.  Prints load and save seconds."""
import os, pickle, sys, tempfile, time, hashlib
d, n = sys.argv[1], int(sys.argv[2])
path = os.path.join(d, 'state.pickle')
t0 = time.perf_counter()
try:
    with open(path, 'rb') as f:
        state = pickle.load(f)
except FileNotFoundError:
    state = {'newest_row_time': '', 'newest_rows': set(), 'rows_count': 0}
t1 = time.perf_counter()
base = state['rows_count']
for i in range(n):
    state['newest_rows'].add(hashlib.sha1(str(base + i).encode()).hexdigest())
state['rows_count'] += n
state['newest_row_time'] = '2026-11-24T00:00:00'
t2 = time.perf_counter()
os.makedirs(d, 0o700, exist_ok=True)
fd, tmp = tempfile.mkstemp(dir=d, prefix='.state.')
with os.fdopen(fd, 'wb') as f:
    pickle.dump(state, f, pickle.HIGHEST_PROTOCOL)
    f.flush(); os.fsync(f.fileno())
os.replace(tmp, path)
t3 = time.perf_counter()
print(f'load {t1-t0:.4f}s  save {t3-t2:.4f}s  entries {len(state["newest_rows"])}  bytes {os.path.getsize(path)}')
