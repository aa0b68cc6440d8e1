#!/usr/bin/env bash
# Benchmark (not a timed test): seed moto with N accounts x R regions (the
# `bench` scenario: a full healthy chain in the admin account, detectors
# everywhere), run a full `alertpath scan` under /usr/bin/time -v, and print
# wall time, API calls, calls per account x region, calls/s, peak RSS, and
# moto's own max call rate on this machine with the ratio.
#   scripts/bench.sh [N=200] [R=2] [extra alertpath flags...]
set -euo pipefail
N="${1:-200}"; R="${2:-2}"; shift $(( $# > 2 ? 2 : $# )) || true
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/alertpath/target}"
cd "$ROOT"
# BENCH_PROFILE=debug skips the (slow) release build of the AWS SDK crates.
PROFILE="${BENCH_PROFILE:-release}"
if [ "$PROFILE" = release ]; then cargo build --quiet --release --bin alertpath; else cargo build --quiet --bin alertpath; fi
bin="$CARGO_TARGET_DIR/$([ "$PROFILE" = release ] && echo release || echo debug)/alertpath"
ALL_REGIONS=(us-east-1 eu-west-1 us-west-2 eu-central-1 ap-southeast-2 us-east-2 eu-west-2 ap-northeast-1)
REGIONS="$(IFS=,; echo "${ALL_REGIONS[*]:0:$R}")"
WITH_PROXY=0
# shellcheck source=scripts/lib-harness.sh
. "$ROOT/scripts/lib-harness.sh"
harness_start
echo "== seeding bench: $N accounts x $R regions ($REGIONS)" >&2
"$PY" tests/harness/seed.py --endpoint "$MOTO" bench --accounts "$N" --regions "$REGIONS" \
  >"$HARNESS_TMP/manifest.json" 2>"$HARNESS_TMP/seed.log" || { tail "$HARNESS_TMP/seed.log" >&2; exit 2; }
tail -1 "$HARNESS_TMP/seed.log" >&2
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
  echo "bench: /usr/bin/time missing; trying apt-get install time" >&2
  (apt-get install -y -qq time >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq time) >/dev/null 2>&1) || true
fi
echo "== alertpath scan ($N x $R)" >&2
set +e
if [ -x "$TIME" ]; then
  "$TIME" -v -o "$HARNESS_TMP/time.txt" "$bin" scan --quiet --endpoint-url "$MOTO" --regions "$REGIONS" \
    --format json --output "$HARNESS_TMP/report.json" "$@"
else
  echo "bench: no /usr/bin/time; peak RSS will not be measured" >&2
  "$bin" scan --quiet --endpoint-url "$MOTO" --regions "$REGIONS" --format json --output "$HARNESS_TMP/report.json" "$@"
fi
code=$?
set -e
echo "== scan exit code $code" >&2
echo "== moto's max call rate (sns.list_topics, 4 threads, 10 s)" >&2
"$PY" tests/harness/max_rate.py --endpoint "$MOTO" --seconds 10 --threads 4 >"$HARNESS_TMP/max.json"
"$PY" - "$HARNESS_TMP/report.json" "$HARNESS_TMP/max.json" "$HARNESS_TMP/time.txt" "$N" "$R" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
mx = json.load(open(sys.argv[2]))
s = report.get("stats") or {}
rss = "n/a"
try:
    t = open(sys.argv[3]).read()
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
    rss = f"{int(m.group(1)) / 1024:.1f} MB" if m else "n/a"
except OSError:
    pass
rate = s.get("calls_per_second", 0.0)
print(f"accounts x regions      : {sys.argv[4]} x {sys.argv[5]} ({s.get('account_regions')} account x region)")
print(f"wall time               : {s.get('wall_seconds')} s (collection)")
print(f"API calls               : {s.get('api_calls')} (retries {s.get('retries')}, throttles {s.get('throttles')})")
print(f"calls per account×region: {s.get('calls_per_account_region')}")
print(f"calls/s                 : {rate}")
print(f"peak RSS                : {rss}")
print(f"moto max calls/s        : {mx['calls_per_s']} ({mx['threads']} threads, {mx['call']})")
print(f"ratio                   : {rate / max(mx['calls_per_s'], 0.001):.0%}")
PY
