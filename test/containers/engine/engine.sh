#!/usr/bin/env bash
# The container tier's private Docker engine: a dockerd of its own, never the user's. It has its
# own data root (which also caches the base images between runs), exec root, socket, pid file,
# bridge and address pool, so it can run beside a user's Docker without touching it.
#
#   engine.sh start    start it unless it already runs (installs docker.io and debootstrap if missing)
#   engine.sh stop     stop it (its data root, and so the image cache, stays)
#   engine.sh status   exit 0 when it answers
#   engine.sh host     print the DOCKER_HOST value that reaches it
#
# docs/containers.md ("The container tier") says what it needs and why.
set -euo pipefail

ENGINE_DIR=${CONTAINER_ENGINE_DIR:-/var/lib/tristack-test-engine}
RUN_DIR=${CONTAINER_ENGINE_RUN_DIR:-/run/tristack-test-engine}
SOCKET="$RUN_DIR/docker.sock"
PID_FILE="$RUN_DIR/dockerd.pid"
LOG_FILE="$ENGINE_DIR/dockerd.log"
# Debian's client: a newer `docker` earlier on PATH may want the buildx plugin, which Debian lacks.
DOCKER=/usr/bin/docker
# A bridge and address pool of the tier's own, away from docker0 and Docker's default 172.17-31/16.
BRIDGE=tristack-te0
BRIDGE_ADDRESS=10.213.255.1/24
ADDRESS_POOL=base=10.213.0.0/17,size=24
START_TIMEOUT_SECONDS=60
STOP_TIMEOUT_SECONDS=30
SKIP_HINT="set SKIP_CONTAINER_TIER=1 to leave the container tier out on purpose"

fail() {
  echo "container engine: $*" >&2
  exit 1
}

answers() {
  [ -S "$SOCKET" ] && "$DOCKER" -H "unix://$SOCKET" version >/dev/null 2>&1
}

install_missing_packages() {
  local need=()
  [ -x /usr/sbin/dockerd ] && [ -x "$DOCKER" ] || need+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
  [ ${#need[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || fail "${need[*]} missing and no apt-get to install them; $SKIP_HINT"
  echo "container engine: installing ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    fail "apt-get install ${need[*]} failed; $SKIP_HINT"
}

# Packets leave through the host's uplink; a bridge MTU above it breaks TLS to the registries.
host_mtu() {
  local device
  device=$(ip -o route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1); exit}')
  local mtu=1500
  [ -n "$device" ] && [ -r "/sys/class/net/$device/mtu" ] && mtu=$(cat "/sys/class/net/$device/mtu")
  [ "$mtu" -gt 1500 ] && mtu=1500
  echo "$mtu"
}

ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add name "$BRIDGE" type bridge || fail "cannot create the bridge $BRIDGE (needs root and CAP_NET_ADMIN); $SKIP_HINT"
    ip addr add "$BRIDGE_ADDRESS" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
}

start() {
  if answers; then
    echo "container engine: already running on unix://$SOCKET" >&2
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || fail "dockerd needs root and this is uid $(id -u); $SKIP_HINT"
  install_missing_packages
  mkdir -p "$ENGINE_DIR/data" "$RUN_DIR/exec"
  ensure_bridge
  # A dockerd that died left its pid file and socket behind; it would refuse to start over them.
  if [ -f "$PID_FILE" ] && ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then rm -f "$PID_FILE" "$SOCKET"; fi
  echo "=== dockerd starting at $(date -u +%FT%TZ)" >>"$LOG_FILE"
  setsid /usr/sbin/dockerd \
    --data-root "$ENGINE_DIR/data" \
    --exec-root "$RUN_DIR/exec" \
    --pidfile "$PID_FILE" \
    --host "unix://$SOCKET" \
    --bridge "$BRIDGE" \
    --default-address-pool "$ADDRESS_POOL" \
    --mtu "$(host_mtu)" \
    </dev/null >>"$LOG_FILE" 2>&1 &
  local pid=$!
  for _ in $(seq 1 $((START_TIMEOUT_SECONDS * 4))); do
    answers && { echo "container engine: started (pid $pid, unix://$SOCKET, log $LOG_FILE)" >&2; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  local reason
  reason=$(grep -E 'level=(fatal|error)|failed to start' "$LOG_FILE" | tail -1 | sed -E 's/.*msg="?([^"]*)"?.*/\1/')
  kill "$pid" 2>/dev/null || true
  fail "dockerd did not start within ${START_TIMEOUT_SECONDS}s (${reason:-see $LOG_FILE}); $SKIP_HINT"
}

stop() {
  [ -f "$PID_FILE" ] || { echo "container engine: not running" >&2; return 0; }
  local pid
  pid=$(cat "$PID_FILE")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((STOP_TIMEOUT_SECONDS * 4))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  ip link delete "$BRIDGE" 2>/dev/null || true
  echo "container engine: stopped" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  host) echo "unix://$SOCKET" ;;
  log) echo "$LOG_FILE" ;;
  *) fail "usage: engine.sh start|stop|status|host|log" ;;
esac
