#!/usr/bin/env bash
# Lints the OpenAPI document the API serves (GET /v1/openapi.json) with the pinned @redocly/cli, recommended rules
# (redocly.yaml). The document is written by the built app itself (--write-openapi: the same bytes it serves), so
# nothing is started and no port is used. Needs `dotnet build Vault.Functions -c Release` and node_modules first.
set -euo pipefail
cd "$(dirname "$0")/.."
dll=Vault.Functions/bin/Release/net10.0/Vault.Functions.dll
if [ ! -f "$dll" ]; then
  echo "lint-openapi: build first (dotnet build Vault.Functions -c Release)." >&2
  exit 1
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true  # no usage data sent anywhere
mkdir -p .local
dotnet "$dll" --write-openapi .local/openapi.json
node_modules/.bin/redocly lint .local/openapi.json --config redocly.yaml --format=stylish
