# shellcheck shell=bash
# find_python VERSION: prints the path of a CPython VERSION (such as 3.10) interpreter: python3.10
# on PATH, else the newest pyenv installation of that version; fails when there is none.
# Sourced by scripts/build-wheels.sh and scripts/test.sh.
find_python() {
  local version=$1 candidate root
  if candidate=$(command -v "python$version" 2>/dev/null) && "$candidate" -c 'import sys' 2>/dev/null; then
    echo "$candidate"
    return 0
  fi
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  candidate=$(find "$root/versions" -maxdepth 1 -name "$version.*" 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$candidate" ] && [ -x "$candidate/bin/python" ]; then
    echo "$candidate/bin/python"
    return 0
  fi
  echo "no CPython $version found (neither python$version on PATH nor a pyenv installation)" >&2
  return 1
}
