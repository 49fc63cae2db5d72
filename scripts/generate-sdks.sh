#!/usr/bin/env bash
# Regenerates the C# and TypeScript SDKs with Kiota (pinned in .config/dotnet-tools.json) from the OpenAPI document
# the service serves. Writes sdk/openapi.json (the document they were made from), sdk/csharp/Vault.Client/Generated
# and sdk/typescript/src/generated. Commit all three.
#   --document FILE  use this document instead of the one the service writes (the tests' freshness check)
#   --out DIR        write under DIR instead of sdk/ (same layout)
set -euo pipefail
cd "$(dirname "$0")/.."
out=sdk
document=
while [ $# -gt 0 ]; do
  case "$1" in
    --document) document="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "usage: $0 [--document FILE] [--out DIR]" >&2; exit 2 ;;
  esac
done

mkdir -p "$out"
if [ -z "$document" ]; then
  # The served document, written by the app itself without a host or storage.
  dotnet build Vault.Functions -c Release --nologo -v quiet -clp:ErrorsOnly
  dotnet Vault.Functions/bin/Release/net10.0/Vault.Functions.dll --write-openapi "$out/openapi.json"
elif [ "$(realpath "$document")" != "$(realpath -m "$out/openapi.json")" ]; then
  cp "$document" "$out/openapi.json"
fi

dotnet tool restore >/dev/null
export KIOTA_UPDATE_DISABLED=true KIOTA_TUTORIAL_ENABLED=false
kiota() {
  # JSON only: the API speaks nothing else, so the SDKs need only the JSON serializers.
  dotnet kiota generate --openapi "$out/openapi.json" --clean-output --exclude-backward-compatible --log-level Warning \
    --class-name VaultClient --structured-mime-types application/json "$@"
}
kiota --language CSharp --output "$out/csharp/Vault.Client/Generated" --namespace-name Vault.Client \
  --serializer Microsoft.Kiota.Serialization.Json.JsonSerializationWriterFactory \
  --deserializer Microsoft.Kiota.Serialization.Json.JsonParseNodeFactory
# TypeScript on @microsoft/kiota-bundle (--opt=@… because a lone @… would be read as a response file).
kiota --language TypeScript --output "$out/typescript/src/generated" \
  --serializer=@microsoft/kiota-serialization-json.JsonSerializationWriterFactory \
  --deserializer=@microsoft/kiota-serialization-json.JsonParseNodeFactory
rm -f "$out/csharp/Vault.Client/Generated/.kiota.log" "$out/typescript/src/generated/.kiota.log"
echo "SDKs generated from $out/openapi.json"
