#!/usr/bin/env bash
# The project's whole test run, as CI runs it (.ci/run calls exactly this):
#   bash scripts/test.sh
# Stages: install the package with its test extra (pip, building the Go extension), typecheck
# (mypy --strict) and lint (ruff check) of the Python code, go vet, go test -short,
# go test -race -short, fuzz (every Go fuzz target for FUZZTIME each, default 10s, from its
# committed corpus in testdata/fuzz), pytest against the INSTALLED package, js-conformance
# (conformance/run.sh: the official @kintone/rest-api-client, pinned in conformance/js, against
# the installed package's simulator; needs node and npm, `npm ci` fetches the client once), and
# pyversions: the oldest and newest supported CPython (PYVERSIONS, default "3.10 3.13", found
# on PATH or under pyenv) each get a manylinux wheel built by scripts/build-wheels.sh, installed
# with the test extra into a fresh venv (build/pyversions/), and a smoke subset of the tests
# (SMOKE_TESTS below) run against it. Every stage runs even if an earlier one failed (typecheck,
# lint, pytest and js-conformance only after a successful install, which brings mypy and ruff);
# the exit status is non-zero if any stage failed. A line "stage NAME: Ns (...)" is printed per
# stage, then a summary.
#
# Conventions:
# - Go: tests that need large data skip themselves under `testing.Short()`; this script always
#   passes -short. Every go command uses scripts/go.env, the environment setup.py builds the
#   wheel with, so the compiled SQLite in the Go build cache is shared (one compile per mode).
# - typecheck and lint: what they check, and how, is in pyproject.toml ([tool.mypy], [tool.ruff]):
#   the package, tests/, benchmarks/ and the scripts, from the source tree, never the generated
#   core. ruff checks; it does not format (`ruff format` is not this code's style).
# - pytest: runs from tests/, so the repository's python/ folder is not on sys.path; a small
#   plugin (scripts/pytest_installed_check.py) fails the run if cdata_kintone is imported from
#   anywhere but the installed package. Exit code 5 (no tests collected) is a failure when
#   tests/ holds test files (test_*.py or *_test.py), and a notice when it holds none.
# Environment: PYTHON (default: python), GO (default: go), FUZZTIME (default: 10s per fuzz target).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python}"
GO="${GO:-go}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore PYTHONDONTWRITEBYTECODE=1

# The shared Go build environment (GOFLAGS with the sqlite tags and -trimpath, CGO_CFLAGS=-O2).
set -a
# shellcheck source=go.env
. "$ROOT/scripts/go.env"
set +a

for tool in "$PYTHON" "$GO"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "test.sh: '$tool' not found on PATH" >&2
    exit 2
  fi
done
echo "test.sh: $("$GO" version); $("$PYTHON" --version 2>&1); GOFLAGS=$GOFLAGS CGO_CFLAGS=$CGO_CFLAGS"

RESULTS=()
FAILED=0
T_ALL=$(date +%s)

# run_stage NAME COMMAND...: runs one stage, records its time and result.
run_stage() {
  local name=$1 start rc elapsed
  shift
  echo
  echo "=== stage $name: $*"
  start=$(date +%s)
  if "$@"; then rc=0; else rc=$?; fi
  elapsed=$(( $(date +%s) - start ))
  if [ "$rc" -eq 0 ]; then
    echo "stage $name: ${elapsed}s (ok)"
    RESULTS+=("$name ok ${elapsed}s")
  else
    echo "stage $name: ${elapsed}s (FAILED, exit $rc)"
    RESULTS+=("$name FAILED(exit $rc) ${elapsed}s")
    FAILED=$((FAILED + 1))
  fi
  return "$rc"
}

skip_stage() {
  echo
  echo "stage $1: skipped ($2)"
  RESULTS+=("$1 skipped")
  FAILED=$((FAILED + 1))
}

install_pkg() {
  "$PYTHON" -m pip install ".[test]"
}

# pytest from tests/, against the installed package.
python_tests() {
  if [ ! -d "$ROOT/tests" ]; then
    echo "pytest: no tests/ folder"
    return 0
  fi
  local nfiles rc
  nfiles=$(find "$ROOT/tests" -type f \( -name 'test_*.py' -o -name '*_test.py' \) | wc -l)
  (
    # (set -e does not apply here: run_stage calls this inside `if`; every step checks itself.)
    cd "$ROOT/tests" || exit 1
    # Where does `import cdata_kintone` resolve from here? It must not be the source tree.
    "$PYTHON" - "$ROOT" <<'PYEOF'
import importlib.util, os, sys
root = os.path.realpath(sys.argv[1])
spec = importlib.util.find_spec("cdata_kintone")
if spec is None or not spec.origin:
    sys.exit("pytest: cdata_kintone is not installed")
origin = os.path.realpath(spec.origin)
if origin.startswith(os.path.join(root, "python") + os.sep):
    sys.exit("pytest: cdata_kintone resolves to the source tree (%s), not the installed package" % origin)
print("pytest: cdata_kintone from %s" % origin)
PYEOF
    [ $? -eq 0 ] || exit 1
    rc=0
    PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}" CDATA_KINTONE_SOURCE_ROOT="$ROOT" \
      "$PYTHON" -m pytest -p pytest_installed_check -p no:cacheprovider . || rc=$?
    if [ "$rc" -eq 5 ]; then
      if [ "$nfiles" -gt 0 ]; then
        echo "pytest: collected no tests although tests/ holds $nfiles test file(s)" >&2
        exit 5
      fi
      echo "pytest: no Python test files in tests/ yet (exit 5 accepted)"
      exit 0
    fi
    exit "$rc"
  )
}

# mypy --strict over the source tree (the files and settings are in pyproject.toml).
typecheck() {
  "$PYTHON" -m mypy
}

# ruff's lint rules over every Python file of the repository (settings in pyproject.toml).
lint() {
  "$PYTHON" -m ruff check .
}

# Every fuzz target (func FuzzX in a _test.go file under gokintone/) for FUZZTIME, one after
# the other. go test -run alone (the go-test stage) runs the committed corpora; here the
# fuzzer also mutates them. An input that fails is written to the package's
# testdata/fuzz/FuzzX/ folder: commit it with the fix, and it is checked on every run.
fuzz_targets() {
  local rc=0 file target out
  while IFS=: read -r file target; do
    target=${target#func }
    target=${target%%(*}
    echo "fuzz: $target ($(dirname "$file"))"
    if ! out=$("$GO" test -run '^$' -fuzz "^${target}\$" -fuzztime "${FUZZTIME:-10s}" "./$(dirname "$file")" 2>&1); then
      rc=1
    elif ! grep -q '^fuzz: elapsed' <<<"$out"; then
      out+=$'\n'"fuzz: $target did not run"
      rc=1
    fi
    grep -v '^fuzz: elapsed' <<<"$out" || true
    grep '^fuzz: elapsed' <<<"$out" | tail -1 || true
  done < <(grep -rH --include='*_test.go' '^func Fuzz' gokintone | sort)
  return "$rc"
}

# The smoke subset run on every CPython of PYVERSIONS: the import, the DB-API, the native
# surface, types, writes, logging and the example notebook (so each version's extras resolve).
SMOKE_TESTS=(test_import.py test_version.py test_dbapi_contract.py test_native_surface.py test_types.py
  test_writes.py test_observability.py test_notebook.py)

# pyversions: for each CPython of PYVERSIONS, the wheel the README's command builds, installed
# with the test extra into a fresh venv, and SMOKE_TESTS run against it.
pyversions() {
  local version python venv tag wheel dist_version
  # shellcheck source=pythons.sh
  . "$ROOT/scripts/pythons.sh"
  # shellcheck disable=SC2086 # the versions are words
  bash "$ROOT/scripts/build-wheels.sh" ${PYVERSIONS:-3.10 3.13} || return 1
  dist_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/pyproject.toml" | head -n 1)
  for version in ${PYVERSIONS:-3.10 3.13}; do
    python=$(find_python "$version") || return 1
    venv="$ROOT/build/pyversions/$version"
    tag="cp${version/./}"
    wheel=$(ls "$ROOT"/dist/cdata_kintone-"$dist_version"-"$tag"-"$tag"-manylinux*.whl) || return 1
    echo "pyversions: CPython $version, $(basename "$wheel")"
    "$python" -m venv --clear "$venv" || return 1
    "$venv/bin/python" -m pip install -q "$wheel[test]" || return 1
    (
      cd "$ROOT/tests" &&
        PYTHONPATH="$ROOT/scripts" CDATA_KINTONE_SOURCE_ROOT="$ROOT" \
          "$venv/bin/python" -m pytest -p pytest_installed_check -p no:cacheprovider -q "${SMOKE_TESTS[@]}"
    ) || return 1
  done
}

# The JavaScript conformance suite (conformance/run.sh starts and stops the simulator).
js_conformance() {
  PYTHON="$PYTHON" bash "$ROOT/conformance/run.sh"
}

INSTALL_OK=0
run_stage install install_pkg && INSTALL_OK=1 || true
if [ "$INSTALL_OK" -eq 1 ]; then
  run_stage typecheck typecheck || true
  run_stage lint lint || true
else
  skip_stage typecheck "the package did not install"
  skip_stage lint "the package did not install"
fi
run_stage go-vet "$GO" vet ./... || true
run_stage go-test "$GO" test -short -count=1 ./... || true
run_stage go-race "$GO" test -race -short -count=1 ./... || true
run_stage fuzz fuzz_targets || true
if [ "$INSTALL_OK" -eq 1 ]; then
  run_stage pytest python_tests || true
  run_stage js-conformance js_conformance || true
  run_stage pyversions pyversions || true
else
  skip_stage pytest "the package did not install"
  skip_stage js-conformance "the package did not install"
  skip_stage pyversions "the package did not install"
fi

echo
echo "=== summary (total $(( $(date +%s) - T_ALL ))s)"
for r in "${RESULTS[@]}"; do
  echo "  $r"
done
if [ "$FAILED" -ne 0 ]; then
  echo "test.sh: $FAILED stage(s) failed"
  exit 1
fi
echo "test.sh: all stages ok"
