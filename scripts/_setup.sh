# Shared set-up for scripts/run and scripts/test: a venv with pinned packages, pinned npm tools.
# Sourced, not executed. Idempotent and quick when nothing changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp_py() { cat "$@" | sha256sum | cut -d' ' -f1; }
ensure_python() {  # $1: requirements file
  local want; want="$(stamp_py "$1" constraints.txt requirements.txt)"
  if [ "$(cat ".venv/.stamp-$(basename "$1")" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$1" -c constraints.txt
    echo "$want" > ".venv/.stamp-$(basename "$1")"
  fi
}
ensure_node() {
  local want; want="$(stamp_py package.json package-lock.json)"
  if [ ! -d node_modules ] || [ "$(cat node_modules/.stamp 2>/dev/null)" != "$want" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > node_modules/.stamp
  fi
}
ensure_debian() {  # Debian packages the tests need (scripts/debian-packages.txt): installs any that are missing
  local wanted missing=() pkg
  wanted="$(grep -v '^#' scripts/debian-packages.txt | tr -s ' \n' ' ')"
  for pkg in $wanted; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}
