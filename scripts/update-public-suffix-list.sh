#!/usr/bin/env bash
# Refreshes the Public Suffix List embedded in Vault.Core from the official source
# (falls back to Debian's publicsuffix package when offline), then runs the PSL tests.
set -euo pipefail
cd "$(dirname "$0")/.."
target=Vault.Core/Domains/public_suffix_list.dat
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if curl -fsSL --max-time 60 https://publicsuffix.org/list/public_suffix_list.dat -o "$tmp"; then
  echo "Downloaded the list from publicsuffix.org."
elif [ -s /usr/share/publicsuffix/public_suffix_list.dat ]; then
  echo "publicsuffix.org unreachable; using Debian's publicsuffix package (apt-get install publicsuffix)." >&2
  cp /usr/share/publicsuffix/public_suffix_list.dat "$tmp"
else
  echo "No copy of the list could be obtained." >&2
  exit 1
fi
for marker in "===BEGIN ICANN DOMAINS===" "===END ICANN DOMAINS===" "===BEGIN PRIVATE DOMAINS==="; do
  grep -q "$marker" "$tmp" || { echo "Not the Public Suffix List (missing $marker)." >&2; exit 1; }
done
cp "$tmp" "$target"
echo "Updated $target ($(grep -cv '^\(//\|$\)' "$target") rules). Update the snapshot date in PublicSuffixList.cs, then run:"
echo "  dotnet test Vault.Tests --filter FullyQualifiedName~Domains"
