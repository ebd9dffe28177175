#!/usr/bin/env python3
"""Peer baseline for benchmark 1 (run overhead): what one cron run of an n6 Python
collector costs when there is nothing to publish.

Usage: py_run_overhead.py CONFIG_DIR

Like n6's collector start-up: import the AMQP and HTTP clients (`pika`, `requests`),
read every `*.conf` in CONFIG_DIR with configparser, take an exclusive flock beside the
state file, load the state pickle (default state if missing), change it, and save it
atomically (temp file, fsync, rename, fsync the directory -- the same durability the
Rust collector gives, so both do the same I/O).
"""
import configparser
import fcntl
import os
import pickle
import sys
import tempfile

import pika  # noqa: F401  (n6 collectors import their AMQP client at start-up)
import requests  # noqa: F401  (and their HTTP client)

SECTION = 'BenchNoopCollector'


def main(config_dir):
    config = configparser.ConfigParser(default_section='DEFAULT', interpolation=None)
    config.read(sorted(os.path.join(config_dir, name)
                       for name in os.listdir(config_dir) if name.endswith('.conf')))
    state_dir = os.path.expanduser(config.get(SECTION, 'state_dir'))
    os.makedirs(state_dir, 0o700, exist_ok=True)
    path = os.path.join(state_dir, 'bench.BenchNoopCollector.pickle')
    lock = open(path + '.lock', 'a')
    fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        with open(path, 'rb') as f:
            state = pickle.load(f)
    except FileNotFoundError:
        state = {'runs': 0, 'newest': ''}
    state['runs'] += 1
    fd, tmp = tempfile.mkstemp(dir=state_dir, prefix='.state.')
    with os.fdopen(fd, 'wb') as f:
        pickle.dump(state, f, pickle.HIGHEST_PROTOCOL)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(state_dir, os.O_RDONLY)
    os.fsync(dir_fd)
    os.close(dir_fd)
    print(f'runs {state["runs"]}')


if __name__ == '__main__':
    main(sys.argv[1])
