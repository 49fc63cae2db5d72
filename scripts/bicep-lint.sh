#!/usr/bin/env bash
# Builds and lints infra/ offline with the Bicep CLI from its NuGet package; fails on any error or warning.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet restore tools/bicep/bicep.csproj --nologo -v quiet >/dev/null
packages=$(dotnet nuget locals global-packages -l | sed 's/^global-packages: //')
bicep="${packages%/}/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep"
[ -f "$bicep" ] || { echo "bicep: CLI not found at $bicep" >&2; exit 1; }
chmod +x "$bicep"
export DOTNET_BUNDLE_EXTRACT_BASE_DIR="${TMPDIR:-/tmp}/bicep-extract"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
# Every deployable template: main.bicep (one cell) and frontdoor.bicep (the entry in front of the cells).
for template in infra/*.bicep; do
  "$bicep" build "$template" --stdout >/dev/null 2>>"$out" || status=1
  "$bicep" lint "$template" >>"$out" 2>&1 || status=1
done
if [ -s "$out" ] && grep -qiE 'warning|error' "$out"; then
  cat "$out" >&2
  status=1
fi
if [ $status -ne 0 ]; then
  echo "bicep: build or lint failed" >&2
  exit 1
fi
echo "bicep: build and lint clean"
