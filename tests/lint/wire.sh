#!/bin/sh
# Wire-format check for `make lint` (style habit 14): services/ never
# prints a topic or a JSON body; proto/encode.h builds them. Flags an
# snprintf into a `topic` buffer, or one whose format holds a topic level
# (/dev/, /staff/, /site/, /service/) or a JSON object ({\").
# services/sim/ is exempt: it is a separate test program playing devices.
# Usage: wire.sh [ROOT] (default: .).
root=${1:-.}
cd "$root" || exit 2
files=$(find services -name '*.c' -not -path 'services/sim/*' 2>/dev/null | sort)
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086
if grep -nE 'snprintf[[:space:]]*\([^;]*(topic|"[^"]*(/dev/|/staff/|/site/|/service/|\{\\"))' $files; then
	echo "wire: services/ prints a topic or a body above: add an encoder in proto/encode.h"
	exit 1
fi
exit 0
