#!/usr/bin/env bash
# The main job: build alertpath and scan the bundled example organization.
# Needs only a fresh machine with the Rust toolchain. Exit code is alertpath's.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/alertpath/target}"
cargo build --quiet --bin alertpath
bin="$CARGO_TARGET_DIR/debug/alertpath"
echo "== alertpath scan --snapshot tests/fixtures/snapshots/example-org.json" >&2
set +e
"$bin" scan --snapshot tests/fixtures/snapshots/example-org.json "$@"
code=$?
set -e
echo "== exit code $code (0 ok, 1 findings, 2 error, 3 not assessed)" >&2
exit "$code"
