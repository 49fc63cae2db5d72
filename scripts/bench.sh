#!/usr/bin/env bash
# Runs a benchmark of Vault.Benchmarks against an in-memory Azurite on free loopback ports:
#   scripts/bench.sh items 10000 | resync-timer 10000 | bitwarden | onepassword | keeper 5000 | load [items] [seconds] [clients] | runs 5000 | usage 1000000 | codes 40
# Add --azure-limits anywhere to put Azurite's tables behind Azure's Table Storage targets (Vault.Testing/TableLimits).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
# Only Azurite is needed here; a shared node_modules (a link in worktrees) is not reinstalled for a newer lock file's mtime.
[ -f node_modules/azurite/dist/src/azurite.js ] || ensure_node_tools
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
azurite_start "$(free_port)" "$(free_port)" "$(free_port)" --in-memory
trap azurite_stop EXIT INT TERM
dotnet run -c Release --project Vault.Benchmarks -- "$@"
