#!/bin/sh
# Self-test of layers.sh, wire.sh and cycles.py: a clean throwaway tree passes, and each kind of
# break, planted alone, makes it fail. Run by `make lint`.
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0

tree() { # a minimal clean tree in $tmp/t
	rm -rf "$tmp/t"
	mkdir -p "$tmp/t/proto" "$tmp/t/db" "$tmp/t/services/care" "$tmp/t/services/net" \
		"$tmp/t/services/alerting" "$tmp/t/services/notify"
	printf '#include <stdint.h>\n' >"$tmp/t/proto/topic.h"
	printf '#include <sqlite3.h>\n#include "topic.h"\n' >"$tmp/t/db/db.h"
	printf '#include "topic.h"\n' >"$tmp/t/services/care/rules.h"
	printf '#include "rules.h"\n' >"$tmp/t/services/app.h"
	printf '#include "topic.h"\n' >"$tmp/t/services/net/stream.h"
	printf '#include <mosquitto.h>\n#include <microhttpd.h>\n#include "db.h"\n#include "app.h"\n#include "stream.h"\n' \
		>"$tmp/t/services/net/mqtt_client.c"
	printf '#include "app.h"\n' >"$tmp/t/services/alerting/txn.h"
	printf '#include "txn.h"\n#include "stream.h"\n#include "db.h"\n' >"$tmp/t/services/notify/notifier.h"
}

expect() { # expect pass|fail "what" file line
	want=$1 what=$2
	tree
	[ -n "$3" ] && printf '%s\n' "$4" >>"$tmp/t/$3"
	if sh "$here/layers.sh" "$tmp/t" >"$tmp/out" 2>&1 && sh "$here/wire.sh" "$tmp/t" >>"$tmp/out" 2>&1 \
		&& /usr/bin/python3 "$here/cycles.py" "$tmp/t" >>"$tmp/out" 2>&1; then
		got=pass
	else
		got=fail
	fi
	if [ "$got" != "$want" ]; then
		echo "layers_test: $what: expected $want, got $got"; cat "$tmp/out"; fail=1
	fi
}

expect pass "clean tree"
expect fail "<mosquitto.h> outside services/net" services/app.h '#include <mosquitto.h>'
expect fail "<microhttpd.h> outside services/net" services/care/rules.h '#include <microhttpd.h>'
expect fail "<curl/curl.h> outside services/net" db/db.h '#include <curl/curl.h>'
expect fail "<curl/curl.h> in services/notify (its transport is net/http_client.h)" \
	services/notify/notifier.h '#include <curl/curl.h>'
expect fail "services/notify/ header from services/alerting/" services/alerting/txn.h \
	'#include "notifier.h"'
expect fail "<sqlite3.h> outside db" services/net/mqtt_client.c '#include <sqlite3.h>'
expect fail "<libpq-fe.h> outside db" services/app.h '#include <libpq-fe.h>'
expect fail "services/ header from db/" db/db.h '#include "rules.h"'
expect fail "an include cycle between modules" services/net/stream.h '#include "mqtt_client.h"'
expect fail "services/ header from proto/" proto/topic.h '#include "app.h"'
expect fail "db/ header from services/care/" services/care/rules.h '#include "db.h"'
expect fail "include by path" services/app.h '#include "care/rules.h"'
expect fail "snprintf of a topic in services/" services/net/mqtt_client.c \
	'void f(char *t) { snprintf(t, 64, "%s/dev/%s/ack", "r", "d"); }'
expect fail "snprintf into a topic buffer in services/" services/net/mqtt_client.c \
	'void f(char *topic) { snprintf(topic, 64, "%s", "x"); }'
expect fail "snprintf of a JSON body in services/" services/net/mqtt_client.c \
	'void f(char *b) { snprintf(b, 64, "{\"cmd\":1}"); }'
expect pass "snprintf of an error message in services/" services/net/mqtt_client.c \
	'void f(char *e) { snprintf(e, 64, "mqtt: %s", "down"); }'
[ $fail = 0 ] && echo "layers_test: 17 cases ok (layers.sh, wire.sh, cycles.py)"
exit $fail
