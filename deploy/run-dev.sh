#!/usr/bin/env bash
# `make run`: a broker, carenetd and a demo care site on loopback.
#
# Starts mosquitto from deploy/mosquitto/dev.conf and build/carenetd on
# var/carenet.db, loads the demo data once (deploy/demo-data.sh), prints
# how to talk to them and waits. Ctrl-C (or SIGTERM) stops carenetd, then
# the broker, each by the PID this script started; nothing else is touched.
#
# Ports: 1883 for MQTT and 8080 for HTTP when free, else the next free port
# (Debian's mosquitto package leaves a system broker on 1883); override
# with MQTT_PORT=... HTTP_PORT=... make run.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
var=$root/var
mkdir -p "$var/mosquitto"

say() { printf 'run-dev: %s\n' "$*" >&2; }

# ---- secrets, made once and kept in var/ (0600) ----
umask 077
for f in dev-token dev-password; do
  if [ ! -s "$var/$f" ]; then
    # 24 random bytes as 48 hex digits
    head -c 24 /dev/urandom | od -An -v -tx1 | tr -d ' \n' >"$var/$f"
    say "generated var/$f"
  fi
done
umask 022
token=$(cat "$var/dev-token")
password=$(cat "$var/dev-password")

# ---- ports ----
# port_free PORT: true when nothing listens on 127.0.0.1:PORT or on the
# wildcard address (binding is the only reliable test).
port_free() {
  /usr/bin/python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

# pick_port WANTED NAME: WANTED when free, else the next free one above it.
pick_port() {
  local want=$1 name=$2 p
  for ((p = want; p < want + 200 && p <= 65535; p++)); do
    if port_free "$p"; then
      [ "$p" = "$want" ] || say "port $want is taken; $name uses port $p instead"
      echo "$p"
      return 0
    fi
  done
  say "no free port for $name from $want to $((want + 199))"
  return 1
}

mqtt_port=$(pick_port "${MQTT_PORT:-1883}" MQTT)
http_port=$(pick_port "${HTTP_PORT:-8080}" HTTP)
[ "$http_port" != "$mqtt_port" ] || http_port=$(pick_port $((mqtt_port + 1)) HTTP)
# The local channel receiver (carenet-sim receive): SMS gateway, WeCom
# robot and mail arrive there and are printed.
recv_port=$(pick_port "${RECEIVER_PORT:-9180}" receiver)
smtp_port=$(pick_port "${SMTP_PORT:-2525}" SMTP)

# ---- processes: started here, stopped here, by PID only ----
broker_pid=''
daemon_pid=''

# stop_pid PID NAME: SIGTERM, then wait up to 10 s before SIGKILL.
stop_pid() {
  local pid=$1 name=$2 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name (pid $pid) did not stop in 10 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

stopping=0
cleanup() {
  [ "$stopping" = 0 ] || return 0
  stopping=1
  trap '' INT TERM
  if [ -n "${scenario_pid:-}" ] && kill -0 "$scenario_pid" 2>/dev/null; then
    kill "$scenario_pid" 2>/dev/null || true
    wait "$scenario_pid" 2>/dev/null || true
  fi
  [ -z "$daemon_pid" ] || say "stopping carenetd (pid $daemon_pid)"
  stop_pid "$daemon_pid" carenetd
  stop_pid "${receiver_pid:-}" carenet-sim
  [ -z "$broker_pid" ] || say "stopping mosquitto (pid $broker_pid)"
  stop_pid "$broker_pid" mosquitto
}
# Ctrl-C is the normal way to end `make run`: a clean stop, status 0.
trap 'cleanup; exit 0' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

# ---- broker ----
conf=$var/mosquitto/run.conf
sed -e "s/^listener 1883 127\.0\.0\.1\$/listener $mqtt_port 127.0.0.1/" \
  -e "s#^persistence_location .*#persistence_location $var/mosquitto/#" \
  deploy/mosquitto/dev.conf >"$conf"
grep -q "^listener $mqtt_port 127.0.0.1\$" "$conf" || {
  say "deploy/mosquitto/dev.conf must have the line 'listener 1883 127.0.0.1'"
  exit 1
}
# As root, mosquitto switches to the `mosquitto` user and could then not
# write its persistence file under var/: stay root for this local broker.
[ "$(id -u)" != 0 ] || echo "user root" >>"$conf"

# setsid: a Ctrl-C on the terminal reaches only this script, which then
# stops carenetd before the broker (so carenetd can still publish its
# `offline` status and flush what it holds).
setsid mosquitto -c "$conf" >>"$var/mosquitto/mosquitto.log" 2>&1 &
broker_pid=$!

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for ((i = 0; i < 100; i++)); do
  listening "$mqtt_port" && break
  kill -0 "$broker_pid" 2>/dev/null || break
  sleep 0.1
done
if ! kill -0 "$broker_pid" 2>/dev/null || ! listening "$mqtt_port"; then
  say "mosquitto did not start; the end of var/mosquitto/mosquitto.log:"
  tail -n 15 "$var/mosquitto/mosquitto.log" >&2
  exit 1
fi

# ---- the channel receiver ----
: >"$var/receiver.log"
build/carenet-sim receive --http-port "$recv_port" --smtp-port "$smtp_port" --seconds 86400 \
  --quiet > >(tee -i -a "$var/receiver.log" | sed -u 's/^/receiver: /') 2>&1 &
receiver_pid=$!

# ---- carenetd ----
# The token goes in through the environment, not argv, so `ps` does not
# show it. The log goes to the terminal and to var/carenetd.log; tee -i
# ignores Ctrl-C so carenetd's last lines still reach both.
url=http://127.0.0.1:$http_port
CARENET_BOOTSTRAP_TOKEN=$token setsid build/carenetd --db_path "$var/carenet.db" \
  --mqtt_host 127.0.0.1 --mqtt_port "$mqtt_port" \
  --http_bind 127.0.0.1 --http_port "$http_port" \
  --smtp_url "smtp://127.0.0.1:$smtp_port" --smtp_from carenet@demo.invalid \
  > >(tee -i -a "$var/carenetd.log") 2>&1 &
daemon_pid=$!

healthy=0
for ((i = 0; i < 200; i++)); do
  kill -0 "$daemon_pid" 2>/dev/null || break
  if curl -sf --max-time 1 -o /dev/null "$url/healthz"; then
    healthy=1
    break
  fi
  sleep 0.1
done
if [ "$healthy" = 0 ]; then
  if kill -0 "$daemon_pid" 2>/dev/null; then
    say "carenetd is not healthy after 20 s: $(curl -s --max-time 1 "$url/healthz" || true)"
  else
    wait "$daemon_pid" && rc=0 || rc=$?
    daemon_pid=''
    say "carenetd exited with status $rc; see var/carenetd.log"
  fi
  exit 1
fi

# ---- demo data ----
demo_note="demo site demo-site; staff logins lin, ann, bob with the password in var/dev-password"
if ! CARENET_TOKEN=$token CARENET_DEMO_PASSWORD=$password \
  CARENET_DEMO_RECEIVER=http://127.0.0.1:$recv_port bash deploy/demo-data.sh "$url"; then
  demo_note="demo data NOT loaded (see the message above); the API and broker still run"
fi

cat <<EOF

  CareNet is running (Ctrl-C stops both processes)
    console  $url/console/   (sign in as lin, the coordinator)
    API      $url   (token in var/dev-token)
    MQTT     127.0.0.1:$mqtt_port
    data     var/carenet.db, log var/carenetd.log
    $demo_note

  API token: $token

  Try, in another terminal:
    curl -H "Authorization: Bearer $token" '$url/v1/alerts?status=active'
    mosquitto_pub -h 127.0.0.1 -p $mqtt_port -q 1 -t carenet/dev/demo-btn-mei/event -m '{"type": "button", "value": "press"}'
    mosquitto_sub -h 127.0.0.1 -p $mqtt_port -q 1 -v -t 'carenet/staff/+/notify' -t 'carenet/dev/+/ack'

EOF

# The scripted demo (deploy/demo-scenario.sh) runs once in the background;
# DEMO_SCENARIO=0 make run skips it.
scenario_pid=''
if [ "${DEMO_SCENARIO:-1}" != 0 ] && [ "$demo_note" = "${demo_note#demo data NOT}" ]; then
  CARENET_TOKEN=$token CARENET_DEMO_PASSWORD=$password \
    bash deploy/demo-scenario.sh "$url" "$mqtt_port" &
  scenario_pid=$!
fi

# Wait for carenetd; a signal interrupts the wait and runs the trap.
status=0
wait "$daemon_pid" || status=$?
if [ "$stopping" = 0 ]; then
  daemon_pid=''
  say "carenetd exited by itself with status $status; see var/carenetd.log"
  exit 1
fi
