#!/usr/bin/env python3
"""Interop check with n6's own AMQP client library (pika): consume what a Rust collector
published and assert every property n6's parsers read.

    pika_consume.py bind  URL EXCHANGE QUEUE           # before publishing
    pika_consume.py check URL QUEUE EXPECTED.jsonl [LO,HI]
                                                       # after publishing (and confirms)

EXPECTED.jsonl holds one JSON object per message, in publishing order, in the format of
the Rust JSON-lines output: {"exchange", "routing_key", "properties", "body"}. The check
does not trust the Rust side: it recomputes `message_id` the way n6 does (MD5 of source,
timestamp and body, with the source taken from the routing key as n6's parsers do),
checks every property's value *and* Python type as pika decodes it, and checks that no
other property is set. With LO,HI (Unix seconds) the expected messages come from another
run: `timestamp` must lie in [LO, HI] and `message_id` must match it, instead of both
being equal to the expected values. Exit status 0 = all good, 1 = mismatch (details on stderr).
"""

import hashlib
import json
import sys

import pika
import pika.compat

N6_PROPERTIES = {"message_id", "type", "timestamp", "content_type", "headers", "delivery_mode"}
ALL_PROPERTIES = N6_PROPERTIES | {
    "app_id", "cluster_id", "content_encoding", "correlation_id", "expiration",
    "priority", "reply_to", "user_id",
}


def connect(url):
    params = pika.URLParameters(url)
    params.socket_timeout = 10
    return pika.BlockingConnection(params)


def bind(url, exchange, queue):
    connection = connect(url)
    channel = connection.channel()
    # Declared as n6 declares its output exchanges (a mismatch would close the channel).
    channel.exchange_declare(exchange=exchange, exchange_type="topic", durable=True,
                             auto_delete=False, internal=False)
    channel.queue_declare(queue=queue, durable=False, auto_delete=False, exclusive=False)
    channel.queue_bind(queue=queue, exchange=exchange, routing_key="#")
    connection.close()


def n6_message_id(source, timestamp, body):
    # n6: md5(source + "\0" + str(created_timestamp) + "\0" + body).hexdigest()
    return hashlib.md5(source.encode("utf-8") + b"\0" + str(timestamp).encode("ascii")
                       + b"\0" + body).hexdigest()


def same(got, want):
    """Equal values *and* the Python types pika's decoder gives for pika's own encoding,
    recursively: True != 1, and an int is `int` when pika would encode it as a 32-bit
    `I`, `pika.compat.long` when as a 64-bit `l` (so this also checks the wire types)."""
    a, b = got, want
    if type(b) is int:
        if -2**31 <= b < 2**31:
            return type(a) is int and a == b
        return type(a) is pika.compat.long and a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def check(url, queue, expected_path, timestamps_between=None):
    with open(expected_path, encoding="utf-8") as f:
        expected = [json.loads(line) for line in f if line.strip()]
    connection = connect(url)
    channel = connection.channel()
    got = []
    while True:
        method, properties, body = channel.basic_get(queue=queue, auto_ack=True)
        if method is None:
            break
        got.append((method, properties, body))
    channel.queue_delete(queue=queue)
    connection.close()

    problems = []
    if len(got) != len(expected):
        problems.append(f"expected {len(expected)} messages, got {len(got)}")
    for i, (want, (method, props, body)) in enumerate(zip(expected, got)):
        def bad(what):
            problems.append(f"message {i} ({method.routing_key}): {what}")

        want_props = want["properties"]
        want_body = want["body"].encode("utf-8")
        if method.exchange != want["exchange"]:
            bad(f"exchange {method.exchange!r} != {want['exchange']!r}")
        if method.routing_key != want["routing_key"]:
            bad(f"routing key {method.routing_key!r} != {want['routing_key']!r}")
        if body != want_body:
            bad(f"body {body!r} != {want_body!r}")
        # n6's parsers: source = the first two dot-separated parts of the routing key.
        source = ".".join(method.routing_key.split(".")[:2])
        if not same(props.message_id, n6_message_id(source, props.timestamp, body)):
            bad(f"message_id {props.message_id!r} is not n6's md5 for this message")
        if timestamps_between is None:
            if not same(props.message_id, want_props["message_id"]):
                bad(f"message_id {props.message_id!r} != {want_props['message_id']!r}")
            if not same(props.timestamp, want_props["timestamp"]):
                bad(f"timestamp {props.timestamp!r} != {want_props['timestamp']!r}")
        else:
            lo, hi = timestamps_between
            if type(props.timestamp) is not int or not lo <= props.timestamp <= hi:
                bad(f"timestamp {props.timestamp!r} not an int in [{lo}, {hi}]")
        if not same(props.type, want_props["type"]) or props.type not in ("stream", "file", "blacklist"):
            bad(f"type {props.type!r} != {want_props['type']!r}")
        if not same(props.delivery_mode, 2):
            bad(f"delivery_mode {props.delivery_mode!r} != 2")
        want_ct = want_props.get("content_type")
        if props.type in ("file", "blacklist"):
            if not same(props.content_type, want_ct) or want_ct is None:
                bad(f"content_type {props.content_type!r} != {want_ct!r}")
        elif props.content_type is not None:
            bad(f"content_type {props.content_type!r} set on a stream message")
        want_headers = want_props.get("headers")
        if want_headers is None:
            if props.headers is not None:
                bad(f"headers {props.headers!r} present although there is no meta")
        else:
            if not same(props.headers, want_headers):
                bad(f"headers {props.headers!r} != {want_headers!r}")
            if set(props.headers) != {"meta"} or not isinstance(props.headers["meta"], dict):
                bad(f"headers {props.headers!r} must hold exactly one table, `meta`")
        for name in ALL_PROPERTIES - N6_PROPERTIES:
            if getattr(props, name) is not None:
                bad(f"property {name}={getattr(props, name)!r} is set; n6 never sets it")

    if problems:
        for p in problems:
            print("MISMATCH:", p, file=sys.stderr)
        return 1
    print(f"pika {pika.__version__}: {len(got)} message(s) exactly as n6 publishes them")
    return 0


def main(argv):
    if len(argv) == 5 and argv[1] == "bind":
        bind(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 5 and argv[1] == "check":
        return check(argv[2], argv[3], argv[4])
    if len(argv) == 6 and argv[1] == "check":
        lo, hi = (int(t) for t in argv[5].split(","))
        return check(argv[2], argv[3], argv[4], (lo, hi))
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
