#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine: system packages, npm packages, native builds.
# A second run only checks and returns in a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libtorch-dev libopenblas0-pthread cmake g++ ffmpeg libjemalloc2 libmujoco-samples
  python3-torch python3-numpy python3-msgpack python3-websockets
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

lock_sha=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.robofm-lock-sha ] || [ "$(cat node_modules/.robofm-lock-sha)" != "$lock_sha" ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sha" > node_modules/.robofm-lock-sha
fi

# Native builds (incremental): every workspace package with a `build` script.
npm run --silent --if-present --workspaces build
