#!/usr/bin/env bash
# Benchmark (not a timed test): seed moto with N accounts x R regions (the
# `bench` scenario: a full healthy chain in the admin account, detectors
# everywhere), run a full `alertpath scan` under /usr/bin/time -v, and print
# wall time, API calls, calls per account x region, calls/s, peak RSS, and
# moto's own max call rate on this machine with the ratio.
#   scripts/bench.sh [N=200] [R=2] [extra alertpath flags...]
# With --slope, two sizes (each on a fresh moto), then the peak RSS slope
# between them (KB per account x region) and the projection for 5,000 x 17:
#   scripts/bench.sh --slope N1 N2 [R=2] [extra alertpath flags...]
# With --rtt MS (before the sizes), every request of the scan goes through the
# harness's fault proxy, which delays it MS milliseconds (loopback only): real
# AWS latency in front of moto. Seeding and moto's max rate stay direct.
#   scripts/bench.sh --rtt 100 [N=200] [R=2] [extra alertpath flags...]
# Environment: BENCH_PROFILE=debug skips the (slow) release build of the AWS SDK
# crates; BENCH_BIN=PATH runs that binary instead of building one; BENCH_DHAT=1 builds with `--features dhat-heap`, prints live heap per
# phase and writes dhat-heap-<N>x<R>.json to the current directory (open it in
# dhat's viewer, dh_view.html); BENCH_MAX_RATE=0 skips measuring moto's own max
# call rate; BENCH_REPORT=1 keeps the scan's JSON report (calls by operation
# under `stats`) as bench-report-<N>x<R>.json in the current directory.
set -euo pipefail
RTT_MS=0
if [ "${1:-}" = --rtt ]; then
  RTT_MS="${2:?--rtt needs milliseconds}"; shift 2
fi
SLOPE=0
if [ "${1:-}" = --slope ]; then
  SLOPE=1
  N1="${2:?--slope needs two sizes}"; N2="${3:?--slope needs two sizes}"
  R="${4:-2}"; shift $(( $# > 4 ? 4 : $# )) || true
else
  N="${1:-200}"; R="${2:-2}"; shift $(( $# > 2 ? 2 : $# )) || true
fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT_DIR="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/alertpath/target}"
cd "$ROOT"
PROFILE="${BENCH_PROFILE:-release}"
FEATURES=()
[ "${BENCH_DHAT:-0}" = 1 ] && FEATURES=(--features dhat-heap)
if [ -n "${BENCH_BIN:-}" ]; then
  bin="$BENCH_BIN"
else
  if [ "$PROFILE" = release ]; then
    cargo build --quiet --release --bin alertpath "${FEATURES[@]}"
  else
    cargo build --quiet --bin alertpath "${FEATURES[@]}"
  fi
  bin="$CARGO_TARGET_DIR/$([ "$PROFILE" = release ] && echo release || echo debug)/alertpath"
fi
ALL_REGIONS=(us-east-1 eu-west-1 us-west-2 eu-central-1 ap-southeast-2 us-east-2 eu-west-2 ap-northeast-1)
REGIONS="$(IFS=,; echo "${ALL_REGIONS[*]:0:$R}")"
WITH_PROXY=0
[ "$RTT_MS" != 0 ] && WITH_PROXY=1
# shellcheck source=scripts/lib-harness.sh
. "$ROOT/scripts/lib-harness.sh"
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
  echo "bench: /usr/bin/time missing; trying apt-get install time" >&2
  (apt-get install -y -qq time >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq time) >/dev/null 2>&1) || true
fi
RESULTS="$(mktemp)"

# One size on a fresh moto: seed, scan, summarise; appends
# "<account x regions> <peak RSS KB>" to $RESULTS.
bench_one() {
  local n="$1"; shift
  harness_start
  echo "== seeding bench: $n accounts x $R regions ($REGIONS)" >&2
  "$PY" tests/harness/seed.py --endpoint "$MOTO" bench --accounts "$n" --regions "$REGIONS" \
    >"$HARNESS_TMP/manifest.json" 2>"$HARNESS_TMP/seed.log" || { tail "$HARNESS_TMP/seed.log" >&2; exit 2; }
  tail -1 "$HARNESS_TMP/seed.log" >&2
  local endpoint="$MOTO"
  if [ "$RTT_MS" != 0 ]; then
    "$PY" - "$PROXY" "$RTT_MS" <<'PY'
import json, sys, urllib.request
rule = [{"kind": "delay", "seconds": float(sys.argv[2]) / 1000}]
req = urllib.request.Request(sys.argv[1] + "/_fault/rules", data=json.dumps(rule).encode(), method="POST")
urllib.request.urlopen(req, timeout=10).read()
PY
    endpoint="$PROXY"
    echo "== every scan request delayed ${RTT_MS} ms (fault proxy)" >&2
  fi
  echo "== alertpath scan ($n x $R)" >&2
  local code
  set +e
  if [ -x "$TIME" ]; then
    ALERTPATH_DHAT_FILE="$OUT_DIR/dhat-heap-${n}x$R.json" \
    "$TIME" -v -o "$HARNESS_TMP/time.txt" "$bin" scan --quiet --endpoint-url "$endpoint" --regions "$REGIONS" \
      --format json --output "$HARNESS_TMP/report.json" "$@"
  else
    echo "bench: no /usr/bin/time; peak RSS will not be measured" >&2
    ALERTPATH_DHAT_FILE="$OUT_DIR/dhat-heap-${n}x$R.json" \
    "$bin" scan --quiet --endpoint-url "$endpoint" --regions "$REGIONS" --format json --output "$HARNESS_TMP/report.json" "$@"
  fi
  code=$?
  set -e
  echo "== scan exit code $code" >&2
  if [ "${BENCH_REPORT:-0}" = 1 ]; then
    cp "$HARNESS_TMP/report.json" "$OUT_DIR/bench-report-${n}x$R.json"
    echo "== report (with calls by operation) saved as bench-report-${n}x$R.json" >&2
  fi
  if [ "${BENCH_MAX_RATE:-1}" = 1 ]; then
    echo "== moto's max call rate (sns.list_topics, 4 threads, 10 s)" >&2
    "$PY" tests/harness/max_rate.py --endpoint "$MOTO" --seconds 10 --threads 4 >"$HARNESS_TMP/max.json"
  else
    echo '{}' >"$HARNESS_TMP/max.json"
  fi
  "$PY" - "$HARNESS_TMP/report.json" "$HARNESS_TMP/max.json" "$HARNESS_TMP/time.txt" "$n" "$R" "$RESULTS" "$RTT_MS" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
rtt_ms = float(sys.argv[7])
mx = json.load(open(sys.argv[2]))
s = report.get("stats") or {}
rss, rss_kb = "n/a", None
try:
    t = open(sys.argv[3]).read()
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
    if m:
        rss_kb = int(m.group(1))
        rss = f"{rss_kb / 1024:.1f} MB"
except OSError:
    pass
rate = s.get("calls_per_second", 0.0)
print(f"accounts x regions      : {sys.argv[4]} x {sys.argv[5]} ({s.get('account_regions')} account x region)")
print(f"wall time               : {s.get('wall_seconds')} s (collection)")
if rtt_ms:
    print(f"added RTT               : {rtt_ms:g} ms per request")
    print(f"wall time in round trips: {s.get('wall_seconds', 0) / (rtt_ms / 1000):.1f}")
print(f"API calls               : {s.get('api_calls')} (retries {s.get('retries')}, throttles {s.get('throttles')})")
print(f"calls per account×region: {s.get('calls_per_account_region')}")
print(f"calls/s                 : {rate}")
print(f"peak RSS                : {rss}")
if "calls_per_s" in mx:
    print(f"moto max calls/s        : {mx['calls_per_s']} ({mx['threads']} threads, {mx['call']})")
    print(f"ratio                   : {rate / max(mx['calls_per_s'], 0.001):.0%}")
if rss_kb is not None and s.get("account_regions"):
    with open(sys.argv[6], "a") as f:
        f.write(f"{s['account_regions']} {rss_kb}\n")
PY
  harness_stop
}

if [ "$SLOPE" = 0 ]; then
  bench_one "$N" "$@"
  rm -f "$RESULTS"
  exit 0
fi
bench_one "$N1" "$@"
bench_one "$N2" "$@"
python3 - "$RESULTS" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
if len(rows) != 2:
    sys.exit("bench: peak RSS missing for one of the sizes; no slope")
(a1, k1), (a2, k2) = sorted(rows)
if a1 == a2:
    sys.exit("bench: both sizes have the same account x regions; no slope")
slope = (k2 - k1) / (a2 - a1)
target = 5000 * 17
proj = k2 + slope * (target - a2)
print(f"peak RSS slope          : {slope:.1f} KB per account×region ({a1}: {k1 / 1024:.1f} MB -> {a2}: {k2 / 1024:.1f} MB)")
print(f"projection 5,000 x 17   : {proj / 1024:.0f} MB ({target} account×region, linear from {a2})")
PY
rm -f "$RESULTS"
