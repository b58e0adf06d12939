#!/usr/bin/env bash
# Installs the Debian packages CareNet's build, tests and `make run` need,
# and only those that are missing. Safe to run again and again: when
# everything is present it touches nothing and never calls apt-get.
set -euo pipefail

packages=(
  build-essential pkg-config
  mosquitto mosquitto-clients libmosquitto-dev
  sqlite3 libsqlite3-dev tzdata
  libpq-dev postgresql-15
  libmicrohttpd-dev libjansson-dev libsodium-dev libgnutls28-dev libcurl4-gnutls-dev
  libcmocka-dev
  python3 python3-yaml python3-pytest python3-paho-mqtt python3-requests
  clang libclang-rt-14-dev cppcheck valgrind openssl curl
  chromium chromium-driver python3-selenium fonts-noto-cjk
)
# Extra packages for `make bench` / `make fuzz` are asked for by those targets.
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deploy/deps.sh: missing Debian packages: ${missing[*]}" >&2
  echo "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "deploy/deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
# Debian's mosquitto package starts a system broker on 1883; CareNet's
# tests and `make run` always start their own on a free port, so it is
# left alone here.
