#!/usr/bin/env bash
# Makes sure the machine has what the test suite needs, before any test runs:
# Debian's rabbitmq-server, openssl, strace, etcd-server and etcd-client, and Python's
# pika. As root with apt-get, missing packages are installed; otherwise one line names
# what to install and the script exits 1 (so the suite does not fail deep inside a test).
set -euo pipefail

missing_debs=()
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing_debs+=(rabbitmq-server)
command -v openssl >/dev/null 2>&1 || missing_debs+=(openssl)
command -v strace >/dev/null 2>&1 || missing_debs+=(strace)
command -v etcd >/dev/null 2>&1 || missing_debs+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || missing_debs+=(etcd-client)
command -v python3 >/dev/null 2>&1 || missing_debs+=(python3)

if [ "${#missing_debs[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "tests: installing ${missing_debs[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing_debs[@]}" >/dev/null
        # The packages start system-wide services; the tests run their own, on 127.0.0.1.
        if command -v service >/dev/null 2>&1; then
            service rabbitmq-server stop >/dev/null 2>&1 || true
            service etcd stop >/dev/null 2>&1 || true
        fi
    else
        echo "tests: missing packages: sudo apt-get install ${missing_debs[*]}" >&2
        exit 1
    fi
fi

if ! python3 -c 'import pika' 2>/dev/null; then
    if python3 -m pip install -q 'pika==1.3.2' >/dev/null 2>&1; then
        echo "tests: installed Python's pika 1.3.2" >&2
    else
        echo "tests: missing Python package: python3 -m pip install 'pika==1.3.2'" >&2
        exit 1
    fi
fi
