#!/usr/bin/env bash
# Lints proto/openapi.yaml with Redocly CLI (recommended ruleset plus the
# few project settings in tests/redocly.yaml). Redocly is installed with npm
# into build/node/ (not committed) on first use and reused afterwards.
# Exits with redocly's status: 0 when the spec has no errors.
set -euo pipefail

cd "$(dirname "$0")/.."

prefix=build/node
redocly=$prefix/node_modules/.bin/redocly

if [ ! -x "$redocly" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "tests/lint_openapi.sh: npm not found (Debian: apt-get install npm)" >&2
    exit 1
  fi
  mkdir -p "$prefix"
  echo "tests/lint_openapi.sh: installing @redocly/cli@1 into $prefix" >&2
  # The newest 1.x first; when the registry (or its mirror) lacks one of its
  # exact-pinned dependencies, the last 1.x known to install here.
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error \
    @redocly/cli@1 >&2 ||
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error \
      @redocly/cli@1.34.20 >&2
fi

# No telemetry from a test run.
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true

exec "$redocly" lint --config tests/redocly.yaml proto/openapi.yaml "$@"
