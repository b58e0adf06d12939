#!/bin/sh
# Layering check for `make lint`: which folder may include which header.
# The matrix is the Makefile's per-folder -I lists (docs/architecture.md);
# this script says it again so a break is named even where a header of
# the same basename would resolve. Usage: layers.sh [ROOT] (default: .).
# Extend: add a folder to `allowed`, or a system header to `system_rule`.
root=${1:-.}
cd "$root" || exit 2
fail=0

# Folders a folder's files may include from (its own first).
allowed() {
	case $1 in
	proto) echo "proto" ;;
	db) echo "db proto" ;;
	services/care) echo "services/care proto" ;;
	services) echo "services services/care proto" ;;
	services/net) echo "services/net services db services/care proto" ;;
	services/alerting) echo "services/alerting services/net services db services/care proto" ;;
	services/ingest) echo "services/ingest services/alerting services/net services db services/care proto" ;;
	services/api) echo "services/api services/ingest services/alerting services/net services db services/care proto" ;;
	services/sim) echo "services/sim services services/alerting services/care proto" ;;
	services/notify) echo "services/notify services/alerting services/net services db services/care proto" ;;
	*) echo "" ;;
	esac
}

# System headers that only some folders may include: "header folders...".
system_rule() {
	case $1 in
	mosquitto.h) echo "services/net services/sim" ;; # sim is its own program
	microhttpd.h | curl/curl.h) echo "services/net" ;;
	sqlite3.h | libpq-fe.h) echo "db" ;;
	*) echo "*" ;;
	esac
}

# Every project header by basename -> its folder.
headers=$(find proto db services -name '*.h' 2>/dev/null | sort)
folder_of() {
	for h in $headers; do
		[ "$(basename "$h")" = "$1" ] && { dirname "$h"; return; }
	done
}

for f in $(find proto db services -name '*.[ch]' 2>/dev/null | sort); do
	dir=$(dirname "$f")
	[ "$f" = services/main.c ] && continue # main.c wires every layer
	ok=$(allowed "$dir")
	if [ -z "$ok" ]; then
		echo "layers: $f: folder $dir is not in the layer table (tests/lint/layers.sh)"
		fail=1
		continue
	fi
	grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f" |
		sed -E 's/^([0-9]+):[^<"]*[<"]([^>"]+)([>"]).*/\1 \3 \2/' >"${TMPDIR:-/tmp}/layers.$$"
	while read -r line q inc; do
		if [ "$q" = ">" ]; then
			who=$(system_rule "$inc")
			[ "$who" = "*" ] && continue
			case " $who " in *" $dir "*) continue ;; esac
			echo "layers: $f:$line: <$inc> is only for: $who"
			fail=1
			continue
		fi
		case $inc in
		*/*) echo "layers: $f:$line: \"$inc\": include by basename"; fail=1; continue ;;
		esac
		from=$(folder_of "$inc")
		[ -z "$from" ] && continue # generated or system header in quotes
		case " $ok " in *" $from "*) continue ;; esac
		echo "layers: $f:$line: \"$inc\" is in $from/, which $dir/ may not use (may: $ok)"
		fail=1
	done <"${TMPDIR:-/tmp}/layers.$$"
	rm -f "${TMPDIR:-/tmp}/layers.$$"
done
exit $fail
