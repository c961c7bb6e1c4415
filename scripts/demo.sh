#!/usr/bin/env bash
# make demo: start the emulator seeded with a small existing account, then run
# the whole job on examples/: validate, access tests, plan, apply, plan again.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${CLDSYNC_BIN:-./bin/cldsync}
out=$(mktemp)
"$bin" emulator --listen 127.0.0.1:0 --account-id demo --api-key demo-key --api-secret demo-secret \
  --seed scripts/demo-seed.yaml >"$out" 2>/dev/null &
emu=$!
trap 'kill $emu 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.05; done
export CLDSYNC_API_URL=$(head -n1 "$out")
export CLOUDINARY_ACCOUNT_URL=account://demo-key:demo-secret@demo

# Bold command lines on a terminal only, never with NO_COLOR: piped into a
# file or a CI log, escape codes are noise.
bold='' plain=''
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; "$@"; }
step "$bin" validate examples/
step "$bin" test examples/
step "$bin" plan examples/
step "$bin" apply --auto-approve examples/
step "$bin" plan examples/
