#!/usr/bin/env bash
# Runs a command with the private test broker up, e.g.
#   tests/support/with-broker.sh cargo test --workspace
# Starts it (tests/support/broker.sh start), exports the N6_TEST_* variables the AMQP
# tests read, runs the command, and always stops the broker afterwards. The command's
# exit status is returned.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ "$#" -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 64; }
trap '"$here/broker.sh" stop || true' EXIT
# shellcheck disable=SC1090
source <("$here/broker.sh" start)
set +e
"$@"
status=$?
set -e
exit "$status"
