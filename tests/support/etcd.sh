#!/usr/bin/env bash
# A private 3-member etcd cluster for the tests: Debian's `etcd-server`, every member on
# 127.0.0.1 only, fast Raft timing (heartbeat 50 ms, election 500 ms), data under one
# work directory. Members are started and stopped by pid, never by name.
#
#   tests/support/etcd.sh start            # start 3 members, wait for a healthy cluster,
#                                          # print sourceable `export` lines
#   tests/support/etcd.sh stop             # stop every member (SIGTERM by pid, then SIGKILL)
#   tests/support/etcd.sh env              # print the exports again
#   tests/support/etcd.sh start-member N   # (re)start member N (0, 1, 2) on its data dir
#   tests/support/etcd.sh wait-healthy     # wait until every member answers /health
#
# Environment (all optional):
#   N6_TEST_ETCD_DIR   work directory                (default: <repo>/target/n6-test-etcd)
#   N6_TEST_ETCD_PORT  client port of member 0; members use PORT, PORT+2, PORT+4 for
#                      clients and +1 for peers      (default: 2479)
#
# `start` writes $N6_TEST_ETCD_DIR/etcd.env with N6_TEST_ETCD_ENDPOINTS (comma-separated
# client URLs), N6_TEST_ETCD_DIR, N6_TEST_ETCD_PORT and N6_TEST_ETCD_SCRIPT (this script).
# Member N's pid is in $N6_TEST_ETCD_DIR/member-N.pid while it runs.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dir="${N6_TEST_ETCD_DIR:-$repo/target/n6-test-etcd}"
port="${N6_TEST_ETCD_PORT:-2479}"
etcd_bin="${ETCD_BIN:-etcd}"
members=(0 1 2)

die() { echo "etcd.sh: $*" >&2; exit 1; }
client_port() { echo $((port + 2 * $1)); }
peer_port() { echo $((port + 2 * $1 + 1)); }
endpoints() {
    local out="" m
    for m in "${members[@]}"; do out+="${out:+,}http://127.0.0.1:$(client_port "$m")"; done
    echo "$out"
}
initial_cluster() {
    local out="" m
    for m in "${members[@]}"; do out+="${out:+,}m$m=http://127.0.0.1:$(peer_port "$m")"; done
    echo "$out"
}
alive() { [ -f "$dir/member-$1.pid" ] && kill -0 "$(cat "$dir/member-$1.pid")" 2>/dev/null; }

start_member() {
    local m="$1"
    alive "$m" && return 0
    mkdir -p "$dir"
    "$etcd_bin" --name "m$m" --data-dir "$dir/m$m.data" \
        --listen-client-urls "http://127.0.0.1:$(client_port "$m")" \
        --advertise-client-urls "http://127.0.0.1:$(client_port "$m")" \
        --listen-peer-urls "http://127.0.0.1:$(peer_port "$m")" \
        --initial-advertise-peer-urls "http://127.0.0.1:$(peer_port "$m")" \
        --initial-cluster "$(initial_cluster)" --initial-cluster-state new \
        --initial-cluster-token "n6-test-$port" \
        --heartbeat-interval 50 --election-timeout 500 \
        --auto-compaction-mode revision --auto-compaction-retention 1000 \
        --log-level warn >>"$dir/m$m.log" 2>&1 &
    echo $! >"$dir/member-$m.pid"
}

healthy() {
    # etcdctl comes with Debian's etcd-client (what .ci/run installs); curl otherwise.
    if command -v etcdctl >/dev/null; then
        ETCDCTL_API=3 etcdctl --endpoints "$(endpoints)" --command-timeout=1s endpoint health >/dev/null 2>&1
        return
    fi
    local m
    for m in "${members[@]}"; do
        curl -sf -m 1 "http://127.0.0.1:$(client_port "$m")/health" | grep -q '"health":"true"' || return 1
    done
}

wait_healthy() {
    local i
    for i in $(seq 1 200); do
        healthy && return 0
        sleep 0.1
    done
    die "the cluster did not become healthy in 20 s (logs: $dir/m*.log)"
}

write_env() {
    cat >"$dir/etcd.env" <<ENV
export N6_TEST_ETCD_ENDPOINTS=$(endpoints)
export N6_TEST_ETCD_DIR=$dir
export N6_TEST_ETCD_PORT=$port
export N6_TEST_ETCD_SCRIPT=$here/etcd.sh
ENV
}

start() {
    command -v "$etcd_bin" >/dev/null || die "etcd is not installed (Debian: apt-get install etcd-server etcd-client)"
    stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    mkdir -p "$dir"
    for m in "${members[@]}"; do start_member "$m"; done
    wait_healthy
    write_env
    cat "$dir/etcd.env"
}

stop_member() {
    local m="$1" pid i
    [ -f "$dir/member-$m.pid" ] || return 0
    pid="$(cat "$dir/member-$m.pid")"
    kill -CONT "$pid" 2>/dev/null || true   # a member a test left SIGSTOPped
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/member-$m.pid"
}

stop() {
    local m
    for m in "${members[@]}"; do stop_member "$m"; done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) [ -f "$dir/etcd.env" ] && cat "$dir/etcd.env" || die "no $dir/etcd.env (run start)" ;;
    start-member) [ -n "${2:-}" ] || die "usage: $0 start-member N"; start_member "$2" ;;
    wait-healthy) wait_healthy ;;
    *) echo "usage: $0 start|stop|env|start-member N|wait-healthy" >&2; exit 64 ;;
esac
