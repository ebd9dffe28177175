#!/usr/bin/env python3
"""Peer baseline for benchmark 4 (rows selection): n6's time-ordered-rows freshness selection, in Python, same algorithm as
BaseTimeOrderedRowsCollector.get_fresh_rows_only.  Usage: py_rows.py CSV STATE_PICKLE
Prints rows, fresh rows, output bytes, seconds (after start-up) and peak RSS (KiB)."""
import os, pickle, resource, sys, time
csv_path, state_path = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
try:
    with open(state_path, 'rb') as f: state = pickle.load(f)
except FileNotFoundError:
    state = {'newest_row_time': '', 'newest_rows': set(), 'rows_count': 0}
data = open(csv_path, 'rb').read()
rows = data.decode('utf-8', 'surrogateescape').split('\n')
prev_t, prev_rows = state['newest_row_time'], state['newest_rows']
newest_t, newest_rows, count, fresh = None, set(), 0, []
for row in rows:
    if not row.strip() or row.startswith('#'): continue
    t = row.split(',', 2)[1].strip('"')
    count += 1
    if t < prev_t: continue
    if newest_t is None or t > newest_t: newest_t = t; newest_rows.clear()
    if t == newest_t: newest_rows.add(row)
    if row in prev_rows: continue
    fresh.append((row, t))
fresh.reverse(); fresh.sort(key=lambda x: x[1])
out = '\n'.join(r for r, _ in fresh).encode('utf-8', 'surrogateescape')
if fresh:
    state.update(newest_row_time=newest_t, newest_rows=newest_rows, rows_count=count)
with open(state_path + '.tmp', 'wb') as f:
    pickle.dump(state, f, pickle.HIGHEST_PROTOCOL); f.flush(); os.fsync(f.fileno())
os.replace(state_path + '.tmp', state_path)
print(f'rows {count} fresh {len(fresh)} out_bytes {len(out)} secs {time.perf_counter()-t0:.3f} '
      f'peak_kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}')
