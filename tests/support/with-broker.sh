#!/usr/bin/env bash
# Runs a command with the private test broker up, e.g.
#   tests/support/with-broker.sh cargo test --workspace
# Starts it (tests/support/broker.sh start), exports the N6_TEST_* variables the AMQP
# tests read, runs the command, and always stops the broker afterwards. The command's
# exit status is returned.
#
# When etcd is installed, the private 3-member etcd cluster of the fleet tests
# (tests/support/etcd.sh; N6_TEST_ETCD_PORT, default 2479, or derived from a
# non-default N6_TEST_AMQP_PORT) runs alongside and is stopped by pid afterwards; it
# exports N6_TEST_ETCD_ENDPOINTS. Without etcd the fleet tests skip with a loud message.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ "$#" -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 64; }
trap '"$here/broker.sh" stop || true; "$here/etcd.sh" stop >/dev/null 2>&1 || true' EXIT
# shellcheck disable=SC1090
source <("$here/broker.sh" start)
if command -v "${ETCD_BIN:-etcd}" >/dev/null; then
    # Sessions with a broker port of their own get etcd ports of their own too
    # (30000 + 6 × (AMQP port − 5600): six ports per cluster, below the ephemeral range).
    if [ -z "${N6_TEST_ETCD_PORT:-}" ] && [ -n "${N6_TEST_AMQP_PORT:-}" ] && [ "$N6_TEST_AMQP_PORT" != 5672 ]; then
        export N6_TEST_ETCD_PORT=$((30000 + 6 * (N6_TEST_AMQP_PORT - 5600)))
    fi
    if etcd_env="$("$here/etcd.sh" start)"; then
        eval "$etcd_env"
    else
        echo "with-broker.sh: the test etcd cluster did not start: the fleet tests will FAIL" >&2
    fi
else
    echo "with-broker.sh: etcd is not installed: the fleet tests will be SKIPPED" >&2
fi
set +e
"$@"
status=$?
set -e
exit "$status"
