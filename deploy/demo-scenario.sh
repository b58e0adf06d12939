#!/usr/bin/env bash
# The `make run` demo, for a newcomer to watch in the log and in
# `mosquitto_sub -t 'carenet/#' -v`: a normal morning in Mei's flat (a
# recorded CASAS morning replayed on her motion sensor), then she presses
# her call button: the press is acknowledged to the pendant, Ann (primary
# on shift) is paged on MQTT and by SMS and on the team's WeCom robot (both
# arrive at the local receiver, `receiver:` lines), nobody answers for one
# escalation step so Bob (backup) is paged too, then Ann taps the link in
# her SMS (GET shows the page, POST acknowledges), the pendant hears "help
# coming", and Ann resolves the alert as a test.
#
# usage: demo-scenario.sh URL MQTT_PORT   (CARENET_TOKEN, CARENET_DEMO_PASSWORD
# in the environment). Bounded: it ends within about two minutes.
set -euo pipefail
url=$1
mqtt_port=$2
sim=build/carenet-sim
trace=tests/data/casas/tm000.20160207_AM_InactivitySeq.txt
step_s=60 # escalate_p1_s of the dev daemon (the default)

say() { echo "demo: $*"; }
api() { # METHOD PATH [BODY] with the admin token
  curl -sS --max-time 10 -X "$1" -H "Content-Type: application/json" \
    -K <(printf 'header = "Authorization: Bearer %s"\n' "$CARENET_TOKEN") \
    ${3:+--data "$3"} "$url$2"
}

# A motion sensor in Mei's living room for the replay (once).
api POST /v1/devices '{"id": "demo-pir-mei", "resident_id": "demo-mei", "kind": "motion",
  "room": "living room"}' > /dev/null || true

if [ -r "$trace" ]; then
  say "a normal morning: replaying a recorded CASAS morning (${trace##*/}) on Mei's motion sensor, 60x speed"
  map=$(mktemp)
  trap 'rm -f "$map"' EXIT
  cut -f2 "$trace" | sort -u | awk 'NF {print $1, "demo-pir-mei"}' > "$map"
  $sim replay "$trace" --port "$mqtt_port" --map "$map" --speed 60 --max-events 120 \
    --shift-to-now --quiet --seq-base "$(date +%s)000" | sed 's/^/demo: replay: /'
else
  say "no CASAS trace at $trace: skipping the normal morning"
fi

say "Mei presses her call button (the pendant repeats until it is acknowledged)"
$sim press demo-btn-mei --port "$mqtt_port" --repeat 5 --timeout 30 --quiet | sed 's/^/demo: press: /'
alert=$(api GET '/v1/alerts?status=active&resident_id=demo-mei&kind=sos' |
  sed -n 's/.*"items":\[{"id":"\([0-9]*\)".*/\1/p')
[ -n "$alert" ] || { say "no open alert found"; exit 1; }
say "alert $alert is open and Ann (primary) was paged; nobody answers for $step_s s, so it escalates to Bob (backup)"
for ((i = 0; i < step_s + 15; i++)); do
  level=$(api GET "/v1/alerts/$alert" | sed -n 's/.*"level":\([0-9]*\).*/\1/p')
  [ "${level:-0}" -ge 1 ] && break
  sleep 1
done
say "escalated to level ${level:-?}"

# Ann's SMS carries her one-time ack link (var/receiver.log is what the
# local SMS gateway received).
link=''
for ((i = 0; i < 20 && ${#link} == 0; i++)); do
  link=$(grep '"path":"/sms-gateway"' var/receiver.log 2>/dev/null | tail -1 |
    sed -n 's/.*"ack_url":"\([^"]*\)".*/\1/p')
  [ -n "$link" ] || sleep 0.5
done
if [ -n "$link" ]; then
  say "Ann's SMS arrived with her link $link; opening it shows the alert and changes nothing"
  curl -sS --max-time 10 -H "Accept-Language: en" "$link" | grep -o 'Acknowledge</button>' | head -1 |
    sed 's/^/demo: page: button /'
  say "Ann taps Acknowledge: escalation stops, the pendant gets help_coming"
  curl -sS --max-time 10 -X POST -H "Accept-Language: en" -o /dev/null -w 'demo: POST %{http_code}\n' "$link"
else
  say "no SMS at the receiver (var/receiver.log); Ann acknowledges through the API instead"
fi
token=$(curl -sS --max-time 10 -H "Content-Type: application/json" \
  --data "{\"username\": \"ann\", \"password\": \"$CARENET_DEMO_PASSWORD\"}" "$url/v1/auth/login" |
  sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
[ -n "$token" ] || { say "cannot log in as ann"; exit 1; }
as_ann() {
  curl -sS --max-time 10 -X POST -H "Content-Type: application/json" \
    -K <(printf 'header = "Authorization: Bearer %s"\n' "$token") ${2:+--data "$2"} "$url$1" > /dev/null
}
[ -n "$link" ] || as_ann "/v1/alerts/$alert/ack"
sleep 2
say "Ann is on site, then resolves the alert as a test"
as_ann "/v1/alerts/$alert/arrive"
as_ann "/v1/alerts/$alert/resolve" '{"outcome": "test", "note": "make run demo"}'
say "done: see the timeline with  curl -H 'Authorization: Bearer <token>' $url/v1/alerts/$alert"
