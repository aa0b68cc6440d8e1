#!/usr/bin/env bash
# The test command: installs what the tests need, then runs every check CI runs.
# Safe to run on a fresh machine and to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/alertpath/target}"
export ALERTPATH_CACHE="${ALERTPATH_CACHE:-$HOME/.cache/alertpath}"
export CARGO_TERM_COLOR=never
mkdir -p "$ALERTPATH_CACHE"
step() { printf '\n== %s\n' "$*"; }

step "live-test harness: python venv with moto (tests/harness/setup.sh)"
# The live tests start moto and the fault proxy themselves; this installs them
# up front so a missing python3-venv fails here, loudly.
if ! python3 -m venv --help >/dev/null 2>&1; then
  echo "python3 venv missing; installing python3-venv" >&2
  (apt-get install -y -qq python3-venv >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null)) || true
fi
bash tests/harness/setup.sh | tail -1

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings

step "cargo test"
cargo test --quiet 2>&1 | tee "$ALERTPATH_CACHE/test.log"

step "SARIF from the example org passes the SARIF multitool with GitHub's rules"
out="$(mktemp -d)"
set +e
"$CARGO_TARGET_DIR/debug/alertpath" scan --quiet --snapshot tests/fixtures/snapshots/example-org.json \
  --format sarif --output "$out/example.sarif"
code=$?
set -e
if [ "$code" -ne 1 ]; then echo "expected exit 1 from the example org, got $code" >&2; exit 1; fi
# The primer's broken routes put codeFlows into the SARIF: validate those too.
set +e
"$CARGO_TARGET_DIR/debug/alertpath" scan --quiet --snapshot tests/fixtures/snapshots/primer.json \
  --format sarif --output "$out/primer.sarif"
code=$?
set -e
if [ "$code" -ne 1 ]; then echo "expected exit 1 from the primer, got $code" >&2; exit 1; fi
grep -q '"codeFlows"' "$out/primer.sarif" || { echo "primer SARIF has no codeFlows" >&2; exit 1; }
# Terraform input: findings carry .tf file:line locations.
printf '[terraform]\nrole = "guardduty-admin"\n' > "$out/tf.toml"
"$CARGO_TARGET_DIR/debug/alertpath" scan --quiet --exit-zero --config "$out/tf.toml" \
  --plan tests/fixtures/terraform/primer/plan.json --terraform tests/fixtures/terraform/primer \
  --format sarif --output "$out/primer-tf.sarif"
grep -q '"uri": "tests/fixtures/terraform/primer/' "$out/primer-tf.sarif" \
  || { echo "Terraform SARIF has no .tf locations" >&2; exit 1; }
# Carried-over results (issue 21): last night's example SARIF as the baseline of
# a night on which account 100000000003 cannot be read.
jq '.accounts["100000000003"].access = {"gap": {"reason": "access_denied", "message": "AccessDenied", "call": "sts:AssumeRole"}}
    | .accounts["100000000003"].regions = {}' tests/fixtures/snapshots/example-org.json > "$out/tonight.json"
"$CARGO_TARGET_DIR/debug/alertpath" scan --quiet --exit-zero --snapshot "$out/tonight.json" \
  --baseline "$out/example.sarif" --format sarif --output "$out/carried.sarif"
jq -e '.runs[0].properties.baseline.carriedOver > 0 and .runs[0].properties.baseline.uncovered == 0' \
  "$out/carried.sarif" >/dev/null || { echo "no covered carry-over in carried.sarif" >&2; exit 1; }
scripts/validate-sarif.sh "$out/example.sarif" "$out/primer.sarif" "$out/primer-tf.sarif" "$out/carried.sarif"

step "GitHub Action and workflows: zizmor, check-jsonschema"
scripts/lint-actions.sh
