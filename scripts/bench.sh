#!/usr/bin/env bash
# Runs a benchmark of Vault.Benchmarks against an in-memory Azurite: scripts/bench.sh items 10000 | resync-timer 10000 | bitwarden
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
ensure_node_tools
azurite_start 10120 10121 10122 --in-memory
trap azurite_stop EXIT INT TERM
dotnet run -c Release --project Vault.Benchmarks -- "$@"
