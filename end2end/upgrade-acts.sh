#!/usr/bin/env bash
# The three acts of the service-worker upgrade test (`tests/upgrade.spec.ts`) around restarts of
# the release server under new release labels (`ATHAR_RELEASE`), which phones see as new versions.
# `.ci/test` runs it; by hand, after `cargo leptos build --release --split --precompress`:
#
#   end2end/upgrade-acts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
port=${ATHAR_TEST_PORT:-3000}
url="http://127.0.0.1:$port"
work=$(mktemp -d)
profile=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work" "$profile"
}
trap cleanup EXIT

serve() {
  DATABASE_URL="sqlite://$work/athar.db" ATHAR_LOG=warn target/release/athar serve --demo --bind "127.0.0.1:$port" >>"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do curl -fsS -o /dev/null "$url/healthz" 2>/dev/null && return 0; sleep 0.05; done
  cat "$work/server.log" >&2
  return 1
}
act() {
  (cd end2end && ATHAR_URL="$url" ATHAR_DB="$work/athar.db" ATHAR_UPGRADE_PROFILE="$profile" ATHAR_UPGRADE_ACT="$1" npx playwright test tests/upgrade.spec.ts)
}

restart() {
  kill "$pid"; wait "$pid" || true
  export ATHAR_RELEASE="upgrade-$1-$(date +%s%N)"
  serve
}

serve
act before
restart 2
act after
restart 3
act again
