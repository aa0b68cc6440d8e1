#!/usr/bin/env bash
# Idempotent: create the harness venv and install requirements.txt if the
# stamp (sha256 of requirements.txt + python version) is missing or stale.
# Last line of stdout: path of the venv's python.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${ALERTPATH_VENV:-$HOME/.cache/alertpath/venv}"
PY="${PYTHON:-python3}"
REQ="$HERE/requirements.txt"
want="$( (cat "$REQ"; "$PY" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
stamp="$VENV/.alertpath-req-stamp"
if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV" >&2 || {
    echo "setup.sh: '$PY -m venv' failed (on Debian: apt-get install python3-venv)" >&2; exit 1; }
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip >&2 || true
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQ" >&2
  echo "$want" > "$stamp"
fi
echo "$VENV/bin/python"
