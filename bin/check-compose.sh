#!/usr/bin/env bash
# Validates docker-compose.yml (both the default services and the gpu profile) with whichever
# Compose is installed: `docker compose` (v2) or `docker-compose` (v1.27+). Needs no Docker engine.
# Says so and succeeds when no Compose is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "check-compose: skipped, neither 'docker compose' nor 'docker-compose' is installed" >&2
  exit 0
fi

"${compose[@]}" config -q
"${compose[@]}" --profile gpu config -q
echo "check-compose: docker-compose.yml is valid (${compose[*]}: default services and the gpu profile)" >&2
