#!/usr/bin/env python3
"""Peer baseline for benchmark 2 (publish throughput): an n6-style collector publishing
with pika, with or without publisher confirms (n6 itself publishes without).

Usage: py_publish.py HOST PORT USER PASSWORD N SIZE confirm|noconfirm

Same per-message work as the Rust side of benchmark 2: the
md5 message id n6 computes, n6's properties (message_id, type, timestamp, headers,
delivery_mode=2). An exclusive queue is bound to the routing key so every message is
routed. Prints one line: `msgs_per_sec N SECONDS`.
"""
import hashlib
import sys
import time

import pika

host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
n, size, mode = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
conn = pika.BlockingConnection(pika.ConnectionParameters(
    host, port, credentials=pika.PlainCredentials(user, password)))
ch = conn.channel()
ch.exchange_declare('raw', exchange_type='topic', durable=True)
q = ch.queue_declare('', exclusive=True).method.queue
ch.queue_bind(q, 'raw', routing_key='bench-provider.bench-channel')
if mode == 'confirm':
    ch.confirm_delivery()
body = b'x' * (size - 8)
t0 = time.perf_counter()
for i in range(n):
    ts = int(time.time())
    payload = body + b'%08d' % i
    mid = hashlib.md5(b'\0'.join([b'bench-provider.bench-channel', str(ts).encode(), payload])).hexdigest()
    props = pika.BasicProperties(message_id=mid, type='stream', timestamp=ts, headers={}, delivery_mode=2)
    ch.basic_publish('raw', 'bench-provider.bench-channel', payload, props)
dt = time.perf_counter() - t0
print(f'msgs_per_sec {n / dt:.1f} {dt:.6f}')
conn.close()
