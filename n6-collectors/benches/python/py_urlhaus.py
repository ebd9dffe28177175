#!/usr/bin/env python3
"""Peer baseline for benchmark 4 (the product path): one whole cron run of an n6-style
URLhaus-URLs collector in Python, as n6's stack does it.

Usage: py_urlhaus.py CONFIG_DIR OUTPUT      (OUTPUT: a JSON-lines file path, or `amqp`)

Steps, in the order of n6's `BaseTimeOrderedRowsCollector` run: import the AMQP and HTTP
clients (`pika`, `requests`), read every `*.conf` of CONFIG_DIR with configparser
(`[ExampleUrlhausUrlsCollector]`: `url = file://...`, `state_dir`; `[rabbitmq]` for
`amqp`), take the run lock, load the pickled state, read the feed (a `file://` URL: the
file), n6's `get_fresh_rows_only` (as `py_rows.py`, the time as n6's URLhaus collector
takes it: column 1 of the CSV row, `"` stripped), the body (fresh rows oldest first
joined by `\\n`), n6's `message_id` (md5 of source, timestamp and body), the output (one
JSON line written and fsynced, or one message published with pika as n6 publishes:
`BlockingConnection`, no confirms), then the state saved atomically with fsync.
Prints `rows N fresh N out_bytes N peak_kb N`.
"""
import configparser
import fcntl
import hashlib
import json
import os
import pickle
import resource
import sys
import time

import pika
import requests  # noqa: F401  (n6 collectors import their HTTP client)

SECTION = 'ExampleUrlhausUrlsCollector'
SOURCE = 'abuse-ch.urlhaus-urls'


def main(config_dir, output):
    config = configparser.ConfigParser(default_section='DEFAULT', interpolation=None)
    config.read(sorted(os.path.join(config_dir, name)
                       for name in os.listdir(config_dir) if name.endswith('.conf')))
    state_dir = os.path.expanduser(config.get(SECTION, 'state_dir'))
    url = config.get(SECTION, 'url')
    os.makedirs(state_dir, 0o700, exist_ok=True)
    state_path = os.path.join(state_dir, 'bench.' + SECTION + '.pickle')
    lock = open(state_path + '.lock', 'a')
    fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        with open(state_path, 'rb') as f:
            state = pickle.load(f)
    except FileNotFoundError:
        state = {'newest_row_time': '', 'newest_rows': set(), 'rows_count': 0}
    with open(url[len('file://'):], 'rb') as f:
        data = f.read()
    rows = data.decode('utf-8', 'surrogateescape').split('\n')
    del data
    prev_t, prev_rows = state['newest_row_time'], state['newest_rows']
    newest_t, newest_rows, count, fresh = None, set(), 0, []
    for row in rows:
        if not row.strip() or row.startswith('#'):
            continue
        t = row.split(',', 2)[1].strip('"')
        count += 1
        if t < prev_t:
            continue
        if newest_t is None or t > newest_t:
            newest_t = t
            newest_rows.clear()
        if t == newest_t:
            newest_rows.add(row)
        if row in prev_rows:
            continue
        fresh.append((row, t))
    del rows
    fresh.reverse()
    fresh.sort(key=lambda x: x[1])
    out_bytes, n_fresh = 0, len(fresh)
    if fresh:
        body = '\n'.join(r for r, _ in fresh).encode('utf-8', 'surrogateescape')
        del fresh[:]
        timestamp = int(time.time())
        message_id = hashlib.md5(b'\0'.join(
            [SOURCE.encode(), str(timestamp).encode(), body])).hexdigest()
        properties = {'message_id': message_id, 'type': 'file', 'timestamp': timestamp,
                      'content_type': 'text/csv', 'delivery_mode': 2}
        out_bytes = len(body)
        if output == 'amqp':
            publish(config, body, properties)
        else:
            line = json.dumps({'exchange': 'raw', 'routing_key': SOURCE,
                               'properties': properties,
                               'body': body.decode('utf-8'), 'source': SOURCE})
            with open(output, 'a') as f:
                f.write(line + '\n')
                f.flush()
                os.fsync(f.fileno())
        state.update(newest_row_time=newest_t, newest_rows=newest_rows, rows_count=count)
        tmp = state_path + '.tmp'
        with open(tmp, 'wb') as f:
            pickle.dump(state, f, pickle.HIGHEST_PROTOCOL)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, state_path)
        dir_fd = os.open(state_dir, os.O_RDONLY)
        os.fsync(dir_fd)
        os.close(dir_fd)
    print(f'rows {count} fresh {n_fresh} '
          f'out_bytes {out_bytes} peak_kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}')


def publish(config, body, properties):
    params = pika.ConnectionParameters(
        config.get('rabbitmq', 'host'), config.getint('rabbitmq', 'port'),
        credentials=pika.PlainCredentials(config.get('rabbitmq', 'username'),
                                          config.get('rabbitmq', 'password')))
    connection = pika.BlockingConnection(params)
    channel = connection.channel()
    channel.exchange_declare('raw', exchange_type='topic', durable=True)
    channel.basic_publish('raw', SOURCE, body, pika.BasicProperties(**properties))
    connection.close()


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
