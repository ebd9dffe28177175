#!/usr/bin/env bash
# A private RabbitMQ for the integration tests: Debian's `rabbitmq-server`, listening on
# 127.0.0.1 only (AMQP, AMQPS, Erlang distribution, epmd), with certificates generated
# here (CA, server, client) and its data, logs and config in one work directory.
#
#   tests/support/broker.sh start   # generate certs+config, start, wait, create users
#   tests/support/broker.sh stop    # shut the node down
#   tests/support/broker.sh env     # print the exports the tests need
#   tests/support/broker.sh status  # exit 0 when the node answers
#
# Environment (all optional):
#   N6_TEST_BROKER_DIR   work directory           (default: <repo>/target/n6-test-broker)
#   N6_TEST_BROKER_NAME  node name prefix         (default: n6test)
#   N6_TEST_AMQP_PORT    plain AMQP port          (default: 5672)
#   N6_TEST_AMQPS_PORT   TLS AMQP port            (default: 5671)
#   N6_TEST_DIST_PORT    Erlang distribution port (default: AMQP port + 20000)
#   N6_TEST_EPMD_PORT    epmd port                (default: 4369)
#
# `start` writes $N6_TEST_BROKER_DIR/broker.env (sourceable `export` lines, also read by
# the Rust tests) with N6_TEST_AMQP_HOST/PORT, N6_TEST_AMQPS_PORT, N6_TEST_CA,
# N6_TEST_CLIENT_CERT/KEY/CN, N6_TEST_USER/PASSWORD, N6_TEST_SERVER_NAME and
# N6_TEST_BROKER_CTL (a rabbitmqctl wrapper bound to this node).
#
# Ports in use by the repository (AMQP; TLS = AMQP - 1; distribution = AMQP + 20000):
#   5672 shared test broker (default)   5682 benchmarks (n6-collectors/benches/run.sh)
#   5692 tests/amqp/collector_run.rs    5702 tests/amqp/broker_stop.rs
#   5712 tests/reliability/broker.rs
#
# The server certificate names only `localhost` (DNS), never 127.0.0.1: connecting to
# `127.0.0.1` over TLS is a real host-name mismatch (the tests rely on that).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dir="${N6_TEST_BROKER_DIR:-$repo/target/n6-test-broker}"
name="${N6_TEST_BROKER_NAME:-n6test}"
amqp_port="${N6_TEST_AMQP_PORT:-5672}"
amqps_port="${N6_TEST_AMQPS_PORT:-5671}"
dist_port="${N6_TEST_DIST_PORT:-$((amqp_port + 20000))}"
epmd_port="${N6_TEST_EPMD_PORT:-4369}"
rmq_bin="${RABBITMQ_BIN_DIR:-/usr/lib/rabbitmq/bin}"
user="n6-test-user"
client_cn="n6-test-client"

die() { echo "broker.sh: $*" >&2; exit 1; }

# Everything the node and its CLI tools must agree on.
node_env() {
    export HOME="$dir/home"   # the Erlang cookie lives here
    export RABBITMQ_NODENAME="$name@localhost"
    export RABBITMQ_USE_LONGNAME=false
    export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
    export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    export RABBITMQ_MNESIA_BASE="$dir/mnesia"
    export RABBITMQ_LOG_BASE="$dir/log"
    export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
    export RABBITMQ_DIST_PORT="$dist_port"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export ERL_EPMD_PORT="$epmd_port"
    export RABBITMQ_SERVER_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

ctl() { "$rmq_bin/rabbitmqctl" --node "$name@localhost" "$@"; }

gen_certs() {
    local c="$dir/certs"
    mkdir -p "$c"
    (
        cd "$c"
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
            -subj "/CN=n6-collectors test CA" -keyout ca.key -out ca.pem \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
            -keyout server.key -out server.csr 2>/dev/null
        printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
            "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost" >server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
            -days 3650 -sha256 -extfile server.ext -out server.pem 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -subj "/CN=$client_cn" \
            -keyout client.key -out client.csr 2>/dev/null
        printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
            "extendedKeyUsage=clientAuth" >client.ext
        openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
            -days 3650 -sha256 -extfile client.ext -out client.pem 2>/dev/null
        chmod 600 ./*.key
    )
}

write_config() {
    local c="$dir/certs"
    cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$amqp_port
listeners.ssl.default = 127.0.0.1:$amqps_port
ssl_options.cacertfile = $c/ca.pem
ssl_options.certfile = $c/server.pem
ssl_options.keyfile = $c/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
auth_mechanisms.1 = PLAIN
auth_mechanisms.2 = AMQPLAIN
auth_mechanisms.3 = EXTERNAL
ssl_cert_login_from = common_name
loopback_users.guest = true
log.file.level = info
log.console = false
EOF
    echo "[]." >"$dir/advanced.config"
    echo "[rabbitmq_auth_mechanism_ssl]." >"$dir/enabled_plugins"
    : >"$dir/rabbitmq-env.conf"
}

write_env() {
    local c="$dir/certs"
    cat >"$dir/broker.env" <<EOF
export N6_TEST_AMQP_HOST=127.0.0.1
export N6_TEST_AMQP_PORT=$amqp_port
export N6_TEST_AMQPS_PORT=$amqps_port
export N6_TEST_SERVER_NAME=localhost
export N6_TEST_CA=$c/ca.pem
export N6_TEST_CLIENT_CERT=$c/client.pem
export N6_TEST_CLIENT_KEY=$c/client.key
export N6_TEST_CLIENT_CN=$client_cn
export N6_TEST_USER=$user
export N6_TEST_PASSWORD=$(cat "$dir/password")
export N6_TEST_BROKER_CTL=$dir/ctl
export N6_TEST_BROKER_DIR=$dir
EOF
    # A rabbitmqctl bound to this node, for tests that inspect or disturb the broker.
    cat >"$dir/ctl" <<EOF
#!/usr/bin/env bash
N6_TEST_BROKER_DIR='$dir' N6_TEST_BROKER_NAME='$name' N6_TEST_AMQP_PORT='$amqp_port' \
N6_TEST_AMQPS_PORT='$amqps_port' N6_TEST_DIST_PORT='$dist_port' N6_TEST_EPMD_PORT='$epmd_port' \
exec '$here/broker.sh' ctl "\$@"
EOF
    chmod 755 "$dir/ctl"
}

is_up() { ctl status >/dev/null 2>&1; }

start() {
    command -v openssl >/dev/null || die "openssl is not installed"
    [ -x "$rmq_bin/rabbitmq-server" ] || die "rabbitmq-server not found in $rmq_bin (apt-get install rabbitmq-server)"
    mkdir -p "$dir/home" "$dir/log" "$dir/mnesia"
    chmod 700 "$dir" "$dir/home"
    node_env
    if is_up; then
        echo "broker.sh: node $name@localhost is already running" >&2
        write_env
        cat "$dir/broker.env"
        return 0
    fi
    # A fresh node every time: no leftover queues or users from an earlier run.
    rm -rf "$dir/mnesia" && mkdir -p "$dir/mnesia"
    [ -f "$dir/certs/client.pem" ] || gen_certs
    [ -s "$dir/password" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$dir/password")
    write_config
    # Own epmd, on 127.0.0.1 only (no-op if one already runs on that port).
    epmd -address 127.0.0.1 -port "$epmd_port" -daemon
    "$rmq_bin/rabbitmq-server" >"$dir/log/stdout.log" 2>&1 &
    echo $! >"$dir/server.pid"
    local i
    for i in $(seq 1 120); do
        if is_up && ctl await_startup --timeout 5 >/dev/null 2>&1; then break; fi
        if ! kill -0 "$(cat "$dir/server.pid")" 2>/dev/null; then
            tail -n 40 "$dir/log/stdout.log" >&2 || true
            die "rabbitmq-server exited during start-up (logs in $dir/log)"
        fi
        sleep 1
    done
    is_up || die "rabbitmq-server did not start within 120 s (logs in $dir/log)"
    ctl add_user "$user" "$(cat "$dir/password")" >/dev/null
    ctl set_permissions -p / "$user" '.*' '.*' '.*' >/dev/null
    ctl add_user "$client_cn" "$(head -c 18 /dev/urandom | base64)" >/dev/null
    ctl clear_password "$client_cn" >/dev/null
    ctl set_permissions -p / "$client_cn" '.*' '.*' '.*' >/dev/null
    write_env
    cat "$dir/broker.env"
}

stop() {
    node_env
    if is_up; then
        ctl shutdown >/dev/null 2>&1 || ctl stop >/dev/null 2>&1 || true
    fi
    if [ -f "$dir/server.pid" ]; then
        local pid
        pid="$(cat "$dir/server.pid")"
        local i
        for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        kill "$pid" 2>/dev/null || true
        rm -f "$dir/server.pid"
    fi
    # Stop our epmd when no node is registered with it any more.
    if epmd -port "$epmd_port" -names 2>/dev/null | grep -q '^name '; then :; else
        epmd -port "$epmd_port" -kill >/dev/null 2>&1 || true
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) [ -f "$dir/broker.env" ] && cat "$dir/broker.env" || die "no $dir/broker.env (run start)" ;;
    status) node_env; is_up ;;
    ctl) shift; node_env; ctl "$@" ;;
    *) echo "usage: $0 start|stop|env|status|ctl ARGS..." >&2; exit 64 ;;
esac
