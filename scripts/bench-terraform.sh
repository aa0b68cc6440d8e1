#!/usr/bin/env bash
# Benchmark `alertpath scan --plan` on a generated ~5 MB plan: the healthy
# fixture's root resources replicated under new addresses (configuration
# included, so references resolve). Prints wall times for the debug and
# release binaries that exist under $CARGO_TARGET_DIR (default ./target).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
size_mb="${1:-5}"
python3 - "$root/tests/fixtures/terraform/healthy/plan.json" "$work/plan.json" "$size_mb" <<'PY'
import copy, json, sys
src, dst, size_mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
plan = json.load(open(src))
base_rc = [r for r in plan["resource_changes"] if "module_address" not in r]
base_cfg = list(plan["configuration"]["root_module"]["resources"])  # a copy: the loop appends to the original
one = len(json.dumps(base_rc)) + len(json.dumps(base_cfg))
copies = max(1, int(size_mb * 1024 * 1024 / one))
for i in range(copies):
    suffix = f"_c{i}"
    for r in base_rc:
        c = copy.deepcopy(r)
        c["name"] += suffix
        c["address"] = f'{c["type"]}.{c["name"]}' if c.get("mode") != "data" else f'data.{c["type"]}.{c["name"]}'
        plan["resource_changes"].append(c)
    for r in base_cfg:
        c = copy.deepcopy(r)
        c["name"] += suffix
        c["address"] = f'{c["type"]}.{c["name"]}' if c.get("mode") != "data" else f'data.{c["type"]}.{c["name"]}'
        plan["configuration"]["root_module"]["resources"].append(c)
json.dump(plan, open(dst, "w"))
PY
printf '[terraform]\nrole = "guardduty-admin"\n' > "$work/alertpath.toml"
echo "plan: $(du -h "$work/plan.json" | cut -f1) ($(python3 -c 'import json,sys;print(len(json.load(open(sys.argv[1]))["resource_changes"]))' "$work/plan.json") resource changes)"
for profile in debug release; do
  bin="$target/$profile/alertpath"
  [ -x "$bin" ] || { echo "$profile: no binary at $bin (cargo build${profile/debug/}${profile/release/ --release})"; continue; }
  start=$(date +%s.%N)
  "$bin" scan --plan "$work/plan.json" --config "$work/alertpath.toml" --format json --output "$work/report-$profile.json" -q --exit-zero
  end=$(date +%s.%N)
  echo "$profile: $(python3 -c "print(f'{$end - $start:.3f}')") s"
done
