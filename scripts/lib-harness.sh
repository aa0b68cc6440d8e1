# Shared by demo.sh and bench.sh: start moto (+ the fault proxy) on free ports
# and stop them on exit. Source it; needs $ROOT. Sets PY, MOTO, PROXY.
harness_start() {
  PY="$(bash "$ROOT/tests/harness/setup.sh" | tail -1)"
  HARNESS_TMP="$(mktemp -d)"
  HARNESS_PIDS=()
  trap harness_stop EXIT INT TERM
  "$PY" "$ROOT/tests/harness/moto_server.py" --port 0 --port-file "$HARNESS_TMP/moto.port" \
    >"$HARNESS_TMP/moto.log" 2>&1 &
  HARNESS_PIDS+=($!)
  harness_wait "$HARNESS_TMP/moto.port" "${HARNESS_PIDS[0]}" moto
  MOTO="http://127.0.0.1:$(cat "$HARNESS_TMP/moto.port")"
  if [ "${WITH_PROXY:-1}" = 1 ]; then
    "$PY" "$ROOT/tests/harness/fault_proxy.py" --upstream "$MOTO" --port 0 \
      --port-file "$HARNESS_TMP/proxy.port" >"$HARNESS_TMP/proxy.log" 2>&1 &
    HARNESS_PIDS+=($!)
    harness_wait "$HARNESS_TMP/proxy.port" "${HARNESS_PIDS[1]}" proxy
    PROXY="http://127.0.0.1:$(cat "$HARNESS_TMP/proxy.port")"
  fi
}

harness_wait() {
  for _ in $(seq 600); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 failed to start:" >&2; cat "$HARNESS_TMP/$3.log" >&2; exit 2; }
    sleep 0.1
  done
  echo "$3 did not start within 60 s" >&2; exit 2
}

harness_stop() {
  for pid in "${HARNESS_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  HARNESS_PIDS=()
  [ -n "${HARNESS_TMP:-}" ] && rm -rf "$HARNESS_TMP"
  return 0
}

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
