#!/usr/bin/env bash
# Loads a small demo care site into a running carenetd through its REST API
# (proto/openapi.yaml), the way an operator would: one site, a coordinator
# and two caregivers with passwords, on shift now, and two residents at
# home with their devices.
#
# usage: deploy/demo-data.sh URL
#   URL       the API base, e.g. http://127.0.0.1:8080
#   env CARENET_TOKEN         admin API token (default: contents of var/dev-token)
#   env CARENET_DEMO_PASSWORD password of the demo staff (default: var/dev-password)
#   env CARENET_DEMO_RECEIVER  base URL of a local receiver (carenet-sim receive):
#                             when set, an SMS gateway and a WeCom robot channel
#                             point at it and Ann is reached on both
#
# Runs once: when the site `demo-site` exists already, nothing is created
# again; only the shifts are renewed when nobody is on call any more (a
# shift lasts at most 7 days).
set -euo pipefail

cd "$(dirname "$0")/.."
base=${1:?usage: deploy/demo-data.sh URL}
token=${CARENET_TOKEN:-$(cat var/dev-token)}
password=${CARENET_DEMO_PASSWORD:-$(cat var/dev-password)}
site=demo-site

body_file=$(mktemp)
trap 'rm -f "$body_file"' EXIT

# api METHOD PATH [JSON]: prints the HTTP status; the body is in $body_file.
# The token goes to curl on a config file descriptor, not in its argv,
# so it does not show in `ps`.
api() {
  local method=$1 path=$2 data=${3:-}
  local args=(-sS -o "$body_file" -w '%{http_code}' -X "$method" --max-time 10)
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  curl "${args[@]}" -K <(printf 'header = "Authorization: Bearer %s"\n' "$token") "$base$path" ||
    true
}

# create PATH JSON: POSTs and stops the script unless it answers 201.
create() {
  local status
  status=$(api POST "$1" "$2")
  if [ "$status" != 201 ]; then
    echo "demo-data: POST $1 answered $status: $(head -c 300 "$body_file")" >&2
    exit 1
  fi
}

iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

status=$(api GET "/v1/sites/$site")
case $status in
  200) existing=1 ;;
  404) existing=0 ;;
  401)
    echo "demo-data: the API refuses the token in var/dev-token. The database was set up" >&2
    echo "demo-data: with another bootstrap token; remove var/carenet.db* to start afresh." >&2
    exit 1 ;;
  *)
    echo "demo-data: GET /v1/sites/$site answered $status: $(head -c 300 "$body_file")" >&2
    exit 1 ;;
esac

if [ "$existing" = 0 ]; then
  create /v1/sites '{"id": "demo-site", "name": "Sunny Lane Community Care Centre",
    "address": "1 Sunny Lane", "phone": "+86 10 1234 5678"}'

  # staff: id, username, name, role
  while read -r id user name role; do
    name=${name//_/ }
    create /v1/staff "{\"id\": \"$id\", \"site_id\": \"$site\", \"name\": \"$name\",
      \"role\": \"$role\", \"phone\": \"+86 139 0000 00${id: -2}\", \"username\": \"$user\",
      \"password\": \"$password\"}"
  done <<'EOF'
demo-st-01 lin Lin_Hua coordinator
demo-st-02 ann Ann_Chen caregiver
demo-st-03 bob Bob_Liu caregiver
EOF

  create /v1/residents '{"id": "demo-mei", "site_id": "demo-site", "name": "Wang Mei",
    "address": "Flat 3, 2 Garden Road", "phone": "+86 10 8765 4321", "care_level": "2",
    "emergency_contacts": [{"name": "Wang Li", "phone": "+86 139 1111 2222",
                            "relation": "daughter"}]}'
  create /v1/residents '{"id": "demo-wei", "site_id": "demo-site", "name": "Zhang Wei",
    "address": "Flat 7, 5 Garden Road", "phone": "+86 10 8765 0007", "care_level": "1",
    "monitoring": {"checkin_by": "10:00", "inactivity_minutes": 180},
    "emergency_contacts": [{"name": "Zhang Jun", "phone": "+86 139 3333 4444",
                            "relation": "son"}]}'

  # devices: id, resident, kind, room, extra JSON members
  while read -r id resident kind room extra; do
    room=${room//_/ }
    create /v1/devices "{\"id\": \"$id\", \"resident_id\": \"$resident\", \"kind\": \"$kind\",
      \"room\": \"$room\"$extra}"
  done <<'EOF'
demo-btn-mei demo-mei sos_button bedroom
demo-fall-mei demo-mei fall_detector bathroom
demo-btn-wei demo-wei sos_button living_room
demo-door-wei demo-wei door hall , "exit_door": true
demo-pir-wei demo-wei motion living_room , "protocol": "z2m", "z2m_name": "wei/living/motion"
EOF
  echo "demo-data: created site $site: staff lin, ann, bob; residents demo-mei, demo-wei; 5 devices"
else
  echo "demo-data: site $site exists already; nothing created"
fi

# Channels (issue 14): an SMS gateway adaptor and a WeCom group robot, both
# at the local receiver; Ann is reached on both besides MQTT. Every run
# points them at this run's receiver.
if [ -n "${CARENET_DEMO_RECEIVER:-}" ]; then
  for ch in "demo-sms sms SMS_gateway sms-gateway" "demo-wecom wecom WeCom_care_team wecom-robot"; do
    read -r id kind name path <<<"$ch"
    status=$(api POST /v1/channels "{\"id\": \"$id\", \"site_id\": \"$site\", \"kind\": \"$kind\",
      \"name\": \"${name//_/ }\", \"url\": \"$CARENET_DEMO_RECEIVER/$path\", \"secret\": \"demo-secret\"}")
    [ "$status" = 201 ] ||
      api PATCH "/v1/channels/$id" "{\"url\": \"$CARENET_DEMO_RECEIVER/$path\", \"enabled\": true}" > /dev/null
  done
  api PATCH /v1/staff/demo-st-02 '{"contacts": [{"channel_id": "demo-sms"}, {"channel_id": "demo-wecom"}]}' > /dev/null
  echo "demo-data: Ann is reached by SMS and on the WeCom robot too (receiver $CARENET_DEMO_RECEIVER)"
fi

# Put the staff on shift unless someone still is.
status=$(api GET "/v1/oncall?site_id=$site")
if [ "$status" = 200 ] && grep -q '"primary": *\[ *{' "$body_file"; then
  exit 0
fi
start=$(iso '-1 minute')
end=$(iso '+7 days -2 minutes')
added=0
while read -r staff tier; do
  status=$(api POST /v1/shifts "{\"staff_id\": \"$staff\", \"site_id\": \"$site\",
    \"starts_at\": \"$start\", \"ends_at\": \"$end\", \"tier\": \"$tier\"}")
  case $status in
    201) added=$((added + 1)) ;;
    409) ;; # on a shift that overlaps now already
    *) echo "demo-data: POST /v1/shifts answered $status: $(head -c 300 "$body_file")" >&2
       exit 1 ;;
  esac
done <<'EOF'
demo-st-02 primary
demo-st-03 backup
demo-st-01 supervisor
EOF
[ "$added" = 0 ] ||
  echo "demo-data: ann (primary), bob (backup) and lin (supervisor) on shift until $end"
