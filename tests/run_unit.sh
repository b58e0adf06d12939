#!/usr/bin/env bash
# Runs each cmocka unit-test program and ends with one summary line that
# counts programs: "unit: N passed, N failed".
set -u
passed=0; failed=0; failed_names=()
for t in "$@"; do
  if "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names+=("$(basename "$t")"); fi
done
[ $failed -eq 0 ] || echo "failed: ${failed_names[*]}"
echo "unit: $passed passed, $failed failed"
[ $failed -eq 0 ]
