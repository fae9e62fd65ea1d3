#!/usr/bin/env bash
# Make a fresh Debian machine ready for `make up` and `make test`: uv, PostgreSQL server binaries,
# Maven (fetches Keycloak), unzip, Chromium (browser tests), the workspace venv and the generated gRPC
# contracts.
# Idempotent: when everything is in place it only checks, quietly, in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "bootstrap: $*"; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# uv: the project's only Python tool; pip may refuse the system Python (PEP 668), hence the fallback.
export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
  say "installing uv"
  python3 -m pip install --quiet uv 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages uv
fi

# System packages, each only when its command is missing.
missing=()
if ! command -v initdb >/dev/null 2>&1 && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  missing+=(postgresql)
fi
command -v mvn >/dev/null 2>&1 || missing+=(maven)
# javac builds the project's Keycloak extension (deploy/keycloak/extensions/); Maven brings only a JRE.
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
# The browser tests drive Debian's Chromium through Playwright (never `playwright install`: it downloads
# a browser build); DejaVu gives the screenshots Cyrillic glyphs.
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

uv sync --frozen --quiet

# Regenerate the contracts only when a .proto (or the generator) changed since the last run.
stamp=.stack/proto.sha256
sum=$(cat scripts/gen_proto.py $(find proto -name '*.proto' | sort) | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ] \
  || ! compgen -G "libs/contracts/src/ejournal/*/v1" >/dev/null; then
  uv run --frozen --quiet python scripts/gen_proto.py >/dev/null
  mkdir -p .stack
  echo "$sum" >"$stamp"
fi
