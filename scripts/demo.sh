#!/usr/bin/env bash
# The main job, live: build alertpath, start an AWS emulator (moto, in a local
# venv) with a fault proxy, seed an example organization (8 accounts x 2
# regions, healthy links and deliberate gaps, one account whose audit role is
# denied), scan it with `alertpath scan`, print the report, stop the servers.
# Needs only a fresh machine with Rust and python3 (venv). Safe to run twice.
# Exit code is alertpath's (0 ok, 1 findings, 2 error, 3 not assessed).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/alertpath/target}"
cd "$ROOT"
echo "== building alertpath" >&2
cargo build --quiet --bin alertpath
bin="$CARGO_TARGET_DIR/debug/alertpath"
# shellcheck source=scripts/lib-harness.sh
. "$ROOT/scripts/lib-harness.sh"
echo "== starting the emulator (moto) and the fault proxy" >&2
harness_start
echo "== seeding the demo organization" >&2
"$PY" tests/harness/seed.py --endpoint "$MOTO" demo >"$HARNESS_TMP/manifest.json" 2>"$HARNESS_TMP/seed.log" \
  || { cat "$HARNESS_TMP/seed.log" >&2; exit 2; }
"$PY" - "$PROXY" "$HARNESS_TMP/manifest.json" <<'PY'
import json, sys, urllib.request
faults = json.load(open(sys.argv[2]))["faults"]
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_fault/rules", json.dumps(faults).encode(), method="POST"))
PY
echo "== alertpath scan --endpoint-url $PROXY --regions us-east-1,eu-west-1 $*" >&2
set +e
"$bin" scan --endpoint-url "$PROXY" --regions us-east-1,eu-west-1 --stats "$@"
code=$?
set -e
echo "== exit code $code (0 ok, 1 findings, 2 error, 3 not assessed)" >&2
exit "$code"
