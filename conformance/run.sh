#!/usr/bin/env bash
# Runs the JavaScript conformance suite: the official @kintone/rest-api-client (pinned in
# conformance/js/package-lock.json) against the kintone simulator.
#   bash conformance/run.sh [node --test options and files...]   (default: --test-reporter=spec)
# Steps: `npm ci` when conformance/js/node_modules is missing or was installed from another
# package-lock.json; start `python -m cdata_kintone simulator --port 0 --print-json` (the
# installed package is needed: `pip install .`); read the URL, user, password, app ids and API
# tokens from its JSON line; wait until it answers; run `node --test` in conformance/js with
# those facts in KINTONE_SIM_* variables (see js/helpers.mjs). The simulator is stopped on every
# exit (trap), and the exit status is node's: non-zero when any test failed.
# Environment: PYTHON (default: python), NODE (default: node), NPM (default: npm),
# SIM_START_TIMEOUT (seconds, default 120).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JS="$HERE/js"
PYTHON="${PYTHON:-python}"
NODE="${NODE:-node}"
NPM="${NPM:-npm}"
SIM_START_TIMEOUT="${SIM_START_TIMEOUT:-120}"

for tool in "$PYTHON" "$NODE" "$NPM"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "conformance: '$tool' not found on PATH" >&2
    exit 2
  fi
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kintone-conformance.XXXXXX")"
SIM_PID=""

stop_simulator() {
  if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill -TERM "$SIM_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$SIM_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SIM_PID" 2>/dev/null; then
      echo "conformance: the simulator (pid $SIM_PID) did not stop on SIGTERM; killing it" >&2
      kill -KILL "$SIM_PID" 2>/dev/null || true
    fi
    wait "$SIM_PID" 2>/dev/null || true
  fi
  SIM_PID=""
}
NODE_PID=""
cleanup() {
  if [ -n "$NODE_PID" ]; then
    kill -TERM "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
  fi
  stop_simulator
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- dependencies (before the simulator, so that it is not kept waiting) -------------------
# node_modules is reinstalled when missing or installed from another package-lock.json.
lock_hash() {
  "$NODE" -e 'const c=require("crypto"),f=require("fs");
    process.stdout.write(c.createHash("sha256").update(f.readFileSync(process.argv[1])).digest("hex"))' \
    "$JS/package-lock.json"
}
STAMP="$JS/node_modules/.conformance-lock-sha256"
WANT="$(lock_hash)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "conformance: npm ci (node_modules missing or stale)"
  (cd "$JS" && "$NPM" ci --no-audit --no-fund)
  printf '%s' "$WANT" >"$STAMP"
else
  echo "conformance: node_modules up to date"
fi

# --- simulator -----------------------------------------------------------------------------
# (From an empty folder, so that `cdata_kintone` is the installed package, never a source tree.)
(cd "$WORK" && exec "$PYTHON" -m cdata_kintone simulator --port 0 --print-json) \
  >"$WORK/sim.out" 2>"$WORK/sim.err" &
SIM_PID=$!

started=$(date +%s)
while [ ! -s "$WORK/sim.out" ] || [ "$(tail -c 1 "$WORK/sim.out" | od -An -c | tr -d ' ')" != '\n' ]; do
  if ! kill -0 "$SIM_PID" 2>/dev/null; then
    echo "conformance: the simulator exited before it printed its address:" >&2
    cat "$WORK/sim.err" >&2
    exit 1
  fi
  if [ $(( $(date +%s) - started )) -ge "$SIM_START_TIMEOUT" ]; then
    echo "conformance: the simulator printed nothing within ${SIM_START_TIMEOUT}s" >&2
    cat "$WORK/sim.err" >&2
    exit 1
  fi
  sleep 0.1
done

# The JSON line → KINTONE_SIM_* assignments (values shell-quoted).
"$PYTHON" - "$WORK/sim.out" >"$WORK/sim.env" <<'PYEOF'
import json, re, shlex, sys
with open(sys.argv[1], encoding="utf-8") as f:
    info = json.loads(f.readline())
out = {
    "KINTONE_SIM_URL": info["url"],
    "KINTONE_SIM_USER": info["user"],
    "KINTONE_SIM_PASSWORD": info["password"],
}
for app in info["apps"]:
    key = re.sub(r"[^A-Z0-9]", "_", str(app["code"]).upper())
    out["KINTONE_SIM_APP_" + key] = str(app["id"])
    for kind, token in (app.get("tokens") or {}).items():
        out["KINTONE_SIM_TOKEN_%s_%s" % (key, kind.upper())] = token
    if app.get("guestSpaceId") is not None:
        out["KINTONE_SIM_GUEST_SPACE_" + key] = str(app["guestSpaceId"])
for k, v in out.items():
    print("export %s=%s" % (k, shlex.quote(v)))
PYEOF
# shellcheck disable=SC1091
. "$WORK/sim.env"
echo "conformance: simulator (pid $SIM_PID) at $KINTONE_SIM_URL"

# Wait until it answers an authenticated call.
"$NODE" --input-type=module - <<'JSEOF'
const url = process.env.KINTONE_SIM_URL + "/k/v1/apps.json";
const auth = Buffer.from(`${process.env.KINTONE_SIM_USER}:${process.env.KINTONE_SIM_PASSWORD}`).toString("base64");
const deadline = Date.now() + 30000;
for (;;) {
  try {
    const res = await fetch(url, { headers: { "X-Cybozu-Authorization": auth } });
    if (res.ok) break;
    throw new Error(`HTTP ${res.status}`);
  } catch (e) {
    if (Date.now() > deadline) {
      console.error(`conformance: the simulator does not answer: ${e.message}`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
JSEOF

# --- tests ---------------------------------------------------------------------------------
cd "$JS"
rc=0
if [ "$#" -eq 0 ]; then
  set -- --test-reporter=spec
fi
# In the background with `wait`, so that a signal to this script is handled at once (the trap
# stops node too), not after the tests.
"$NODE" --test "$@" &
NODE_PID=$!
wait "$NODE_PID" || rc=$?
NODE_PID=""
if [ "$rc" -ne 0 ] && [ -s "$WORK/sim.err" ]; then
  echo "conformance: the simulator's stderr:" >&2
  cat "$WORK/sim.err" >&2
fi
stop_simulator
exit "$rc"
