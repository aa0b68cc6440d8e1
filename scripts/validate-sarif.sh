#!/usr/bin/env bash
# Validate SARIF files with Microsoft's SARIF multitool, with GitHub's (GHAS) rules on.
#
#   scripts/validate-sarif.sh FILE...
#
# The multitool exits 0 even when it finds problems, so this script parses its
# output SARIF and fails (exit 1) on any result, any tool execution
# notification, or any invocation that did not succeed. It installs the pinned
# multitool into ${ALERTPATH_CACHE:-$HOME/.cache/alertpath}/npm when absent.
set -euo pipefail

MULTITOOL_VERSION=5.7.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
config="$here/sarif-multitool-config.xml"
prefix="${ALERTPATH_CACHE:-$HOME/.cache/alertpath}/npm"

if [ "$#" -eq 0 ]; then
    echo "usage: $0 FILE.sarif..." >&2
    exit 2
fi
for tool in npx node python3; do
    command -v "$tool" >/dev/null || { echo "validate-sarif: $tool is required" >&2; exit 2; }
done

installed="$(node -p "try { require('$prefix/node_modules/@microsoft/sarif-multitool/package.json').version } catch (e) { '' }")"
if [ "$installed" != "$MULTITOOL_VERSION" ]; then
    echo "validate-sarif: installing @microsoft/sarif-multitool@$MULTITOOL_VERSION into $prefix" >&2
    mkdir -p "$prefix"
    npm install --silent --no-audit --no-fund --prefix "$prefix" "@microsoft/sarif-multitool@$MULTITOOL_VERSION" >&2
fi

# The npm wrapper runs the tool through a shell (spawnSync with shell: true),
# so every argument is quoted once more for that shell.
shq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for file in "$@"; do
    if [ ! -f "$file" ]; then
        echo "validate-sarif: $file: no such file" >&2
        status=1
        continue
    fi
    out="$work/validation.sarif"
    rm -f "$out"
    npx --prefix "$prefix" sarif-multitool validate \
        --rule-kind "$(shq 'Sarif;Ghas')" \
        --config "$(shq "$config")" \
        --output "$(shq "$out")" \
        "$(shq "$(cd "$(dirname "$file")" && pwd)/$(basename "$file")")" >"$work/stdout" 2>&1 || true
    if ! python3 - "$out" "$file" <<'PY'
import json, sys

out, target = sys.argv[1], sys.argv[2]
try:
    with open(out, encoding="utf-8-sig") as f:
        log = json.load(f)
except (OSError, ValueError) as e:
    print(f"{target}: the multitool wrote no readable output ({e})")
    sys.exit(1)

def text(message):
    message = message or {}
    return message.get("text") or " / ".join(message.get("arguments", [])) or message.get("id", "")

problems = []
for run in log.get("runs") or []:
    for inv in run.get("invocations") or []:
        if inv.get("executionSuccessful") is False:
            problems.append("invocation did not succeed")
        for n in inv.get("toolExecutionNotifications") or []:
            problems.append(f"tool notification {n.get('descriptor', {}).get('id', '')}: {text(n.get('message'))}")
    for r in run.get("results") or []:
        problems.append(f"{r.get('ruleId')} ({r.get('level', 'warning')}): {text(r.get('message'))}")
for p in problems:
    print(f"{target}: {p}")
sys.exit(1 if problems else 0)
PY
    then
        echo "--- multitool output for $file:" >&2
        cat "$work/stdout" >&2
        status=1
    else
        echo "validate-sarif: $file: ok"
    fi
done
exit "$status"
