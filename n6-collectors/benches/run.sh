#!/usr/bin/env bash
# Reproduces the table of BENCHMARKS.md with one command (from anywhere in the checkout):
#
#   n6-collectors/benches/run.sh              # full run (~6 min on 2 cores, idle)
#   n6-collectors/benches/run.sh --quick      # small sizes, about a minute: checks the harness
#   n6-collectors/benches/run.sh --only 4,5   # a subset: 1 overhead + start-up, 2 publish,
#                                             # 3 state (1M and 10M), 4 product path, 5 scale
#   n6-collectors/benches/run.sh --reps 3     # fewer repetitions
#
# Steps: install what is missing (Debian: rabbitmq-server, openssl; pip: pika, requests),
# build the release binaries (the collectors `bench_noop` and `urlhaus_urls`, the family
# binary `n6collector` and the single-collector binary `single_collector`), start a private
# RabbitMQ on 127.0.0.1 the way the tests do (tests/support/with-broker.sh, with its own
# node name, ports and directory; stopped again on exit), run the bench binary, and write
# target/n6-bench/results.md (machine, load, table). Exit status 2 when a target is missed.
# Ports: N6_BENCH_AMQP_PORT / N6_BENCH_AMQPS_PORT (default 5682 / 5681); the broker's node
# name: N6_BENCH_BROKER_NAME (default n6bench).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
work="$repo/target/n6-bench"
mkdir -p "$work"

log() { printf '== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)" >&2; }

log "checking tools"
if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || ! command -v openssl >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends rabbitmq-server openssl >/dev/null
fi
python3 -c 'import pika, requests' 2>/dev/null || python3 -m pip install -q pika requests

log "building (release)"
cargo build --release --quiet -p n6-collectors-examples --example bench_noop --example urlhaus_urls
cargo build --release --quiet -p n6-datasources --bin n6collector --example single_collector
cargo bench --quiet -p n6-collectors --bench bench --no-run

export N6_TEST_BROKER_DIR="$repo/target/n6-bench-broker"
export N6_TEST_BROKER_NAME="${N6_BENCH_BROKER_NAME:-n6bench}"
export N6_TEST_AMQP_PORT="${N6_BENCH_AMQP_PORT:-5682}"
export N6_TEST_AMQPS_PORT="${N6_BENCH_AMQPS_PORT:-5681}"

machine() {
    echo "## Machine"
    echo
    echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
    echo "- memory: $(free -m | awk '/^Mem:/ {print $2}') MiB; kernel $(uname -r)"
    echo "- disk (state, feed): $(df -h "$work" | awk 'NR==2 {print $1 " " $2}')"
    echo "- $(rustc --version); $(python3 --version); pika $(python3 -c 'import pika; print(pika.__version__)')"
    echo "- RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?') (private node, same host)"
    echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
}
machine >"$work/machine.md"
cat "$work/machine.md" >&2

log "running the benchmarks (private broker on 127.0.0.1:$N6_TEST_AMQP_PORT)"
status=0
rel="$repo/target/release"
tests/support/with-broker.sh cargo bench --quiet -p n6-collectors --bench bench -- \
    --noop-bin "$rel/examples/bench_noop" --urlhaus-bin "$rel/examples/urlhaus_urls" \
    --family-bin "$rel/n6collector" --single-bin "$rel/examples/single_collector" \
    --work "$work" --markdown "$work/table.md" "$@" || status=$?
if [ -f "$work/table.md" ]; then
    { cat "$work/machine.md"; echo "## Results"; echo; cat "$work/table.md";
      echo; echo "- load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"; } >"$work/results.md"
    log "results in $work/results.md"
fi
exit "$status"
