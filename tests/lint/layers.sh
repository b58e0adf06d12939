#!/bin/sh
# Layering check for `make lint`: which folder may include which header.
# The matrix is the Makefile's per-folder -I lists (docs/architecture.md);
# this script says it again so a break is named even where a header of
# the same basename would resolve. Usage: layers.sh [ROOT] (default: .).
# Extend: add a folder to `allowed`, or a system header to `sys`.
# One awk pass over every file (the header map is built once): well under
# a second on the whole tree.
root=${1:-.}
cd "$root" || exit 2
files=$(find proto db services -name '*.[ch]' 2>/dev/null | sort)
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086
awk -v headers="$(find proto db services -name '*.h' 2>/dev/null | sort | tr '\n' ' ')" '
function dirof(p) { sub(/\/[^\/]*$/, "", p); return p }
function base(p) { sub(/^.*\//, "", p); return p }
BEGIN {
	# Folders a folder may include from (its own first).
	allowed["proto"] = "proto"
	allowed["db"] = "db proto"
	allowed["services/care"] = "services/care proto"
	allowed["services"] = "services services/care proto"
	allowed["services/net"] = "services/net services db services/care proto"
	allowed["services/alerting"] = "services/alerting services/net services db services/care proto"
	allowed["services/ingest"] = "services/ingest services/alerting services/net services db services/care proto"
	allowed["services/api"] = "services/api services/ingest services/alerting services/net services db services/care proto"
	allowed["services/sim"] = "services/sim services services/alerting services/care proto"
	allowed["services/notify"] = "services/notify services/alerting services/net services db services/care proto"
	# System headers only some folders may include.
	sys["mosquitto.h"] = "services/net services/sim" # sim is its own program
	sys["microhttpd.h"] = "services/net"
	sys["curl/curl.h"] = "services/net"
	sys["sqlite3.h"] = "db"
	sys["libpq-fe.h"] = "db"
	n = split(headers, hs, " ")
	for (i = 1; i <= n; i++) folder[base(hs[i])] = dirof(hs[i])
	fail = 0
}
FNR == 1 {
	dir = dirof(FILENAME)
	skipfile = (FILENAME == "services/main.c") # main.c wires every layer
	if (!skipfile && !(dir in allowed)) {
		printf "layers: %s: folder %s is not in the layer table (tests/lint/layers.sh)\n", FILENAME, dir
		fail = 1; skipfile = 1
	}
}
skipfile { next }
/^[ \t]*#[ \t]*include[ \t]*[<"]/ {
	s = $0
	sub(/^[^<"]*/, "", s)
	q = substr(s, 1, 1)
	inc = substr(s, 2)
	sub(/[>"].*$/, "", inc)
	if (q == "<") {
		if (!(inc in sys)) next
		if (index(" " sys[inc] " ", " " dir " ")) next
		printf "layers: %s:%d: <%s> is only for: %s\n", FILENAME, FNR, inc, sys[inc]
		fail = 1; next
	}
	if (inc ~ /\//) {
		printf "layers: %s:%d: \"%s\": include by basename\n", FILENAME, FNR, inc
		fail = 1; next
	}
	if (!(inc in folder)) next # generated or system header in quotes
	if (index(" " allowed[dir] " ", " " folder[inc] " ")) next
	printf "layers: %s:%d: \"%s\" is in %s/, which %s/ may not use (may: %s)\n", FILENAME, FNR, inc, folder[inc], dir, allowed[dir]
	fail = 1
}
END { exit fail }
' $files
