# Shared by ./run and ./test: installs what the repo needs and runs Azurite on loopback.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AZURITE_ACCOUNT_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

# npm ci only when node_modules is missing or older than the lock file.
ensure_node_tools() {
  if ! command -v node >/dev/null 2>&1; then
    echo "Node.js is required (for Azurite and the provider interop tests)." >&2
    exit 1
  fi
  if [ ! -d "$REPO_ROOT/node_modules" ] || [ "$REPO_ROOT/package-lock.json" -nt "$REPO_ROOT/node_modules/.package-lock.json" ]; then
    echo "Installing Node tools from package-lock.json (npm ci)..."
    (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# azurite_start <blob> <queue> <table> <location|--in-memory>: starts Azurite on 127.0.0.1 and waits until it answers.
azurite_start() {
  local blob=$1 queue=$2 table=$3 location=$4 log
  local args=(--blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1
    --blobPort "$blob" --queuePort "$queue" --tablePort "$table" --skipApiVersionCheck --loose --silent)
  if [ "$location" = "--in-memory" ]; then
    args+=(--inMemoryPersistence)
    log="$REPO_ROOT/.local/azurite-test.log"
  else
    mkdir -p "$location"
    args+=(--location "$location")
    log="$location/azurite.log"
  fi
  mkdir -p "$REPO_ROOT/.local"
  node "$REPO_ROOT/node_modules/azurite/dist/src/azurite.js" "${args[@]}" >"$log" 2>&1 &
  AZURITE_PID=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$table") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$queue") 2>/dev/null; then
      export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZURITE_ACCOUNT_KEY;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
      return 0
    fi
    if ! kill -0 "$AZURITE_PID" 2>/dev/null; then
      echo "Azurite failed to start (ports $blob-$table in use?). Log: $log" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "Azurite did not answer on 127.0.0.1:$table in time." >&2
  exit 1
}

azurite_stop() {
  if [ -n "${AZURITE_PID:-}" ] && kill -0 "$AZURITE_PID" 2>/dev/null; then
    kill "$AZURITE_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$AZURITE_PID" 2>/dev/null || return 0
      sleep 0.1
    done
    kill -9 "$AZURITE_PID" 2>/dev/null || true
  fi
}

# A key kept in .local/ (never committed), generated once.
local_key() {
  local file="$REPO_ROOT/.local/$1"
  mkdir -p "$REPO_ROOT/.local"
  if [ ! -s "$file" ]; then
    head -c 32 /dev/urandom | base64 >"$file"
    chmod 600 "$file"
  fi
  cat "$file"
}

# The app settings of a local run, in both modes (standalone and under the Functions host), as environment variables.
# Vault__ResyncSchedule has no default in the app: it refuses to start without it (the host would disable the timer).
export_local_app_settings() {
  export FUNCTIONS_WORKER_RUNTIME=dotnet-isolated
  export AzureWebJobsDisableHomepage=true # `/` is the app's, not the host's "up and running" page
  export Vault__ResyncSchedule="${Vault__ResyncSchedule:-0 */15 * * * *}"
  export Vault__AllowLocalSecretStore=true
  export Vault__LocalSecretKey="$(local_key secret-store.key)"
  export Vault__AdminKey="${Vault__AdminKey:-$(local_key admin.key | tr -d '=+/')}"
  # One-time codes: each run gets run-…@codes.localhost; standalone mode takes its mail by SMTP on this port.
  export Vault__Codes__EmailDomain="${Vault__Codes__EmailDomain:-codes.localhost}"
  export Vault__Codes__SmtpPort="${Vault__Codes__SmtpPort:-2525}"
}

# Finds the Azure Functions host the way the tests do (Vault.Tests/FunctionsHost/FunctionsHostLocator.cs): the script in
# VAULT_FUNCTIONS_HOST_RUN, else `func` on PATH, else ../shared/tools/functions-host/run beside the repo. Sets
# FUNCTIONS_HOST_KIND (func|run) and FUNCTIONS_HOST_PATH, or FUNCTIONS_HOST_MISSING (why) and returns 1.
find_functions_host() {
  local shared="$REPO_ROOT/../shared/tools/functions-host/run"
  FUNCTIONS_HOST_KIND="" FUNCTIONS_HOST_PATH="" FUNCTIONS_HOST_MISSING=""
  if [ -n "${VAULT_FUNCTIONS_HOST_RUN:-}" ]; then
    if [ -f "$VAULT_FUNCTIONS_HOST_RUN" ]; then
      FUNCTIONS_HOST_KIND=run FUNCTIONS_HOST_PATH="$VAULT_FUNCTIONS_HOST_RUN"
      return 0
    fi
    FUNCTIONS_HOST_MISSING="VAULT_FUNCTIONS_HOST_RUN=$VAULT_FUNCTIONS_HOST_RUN does not exist"
    return 1
  fi
  if command -v func >/dev/null 2>&1; then
    FUNCTIONS_HOST_KIND=func FUNCTIONS_HOST_PATH="$(command -v func)"
  elif [ -f "$shared" ]; then
    FUNCTIONS_HOST_KIND=run FUNCTIONS_HOST_PATH="$(cd "$(dirname "$shared")" && pwd)/run"
  else
    FUNCTIONS_HOST_MISSING="\`func\` is not on PATH and $shared is missing (or set VAULT_FUNCTIONS_HOST_RUN)"
    return 1
  fi
}

# One line saying how the Functions host tests run, or that they are skipped and why.
describe_functions_host() {
  if find_functions_host; then
    if [ "$FUNCTIONS_HOST_KIND" = func ]; then
      echo "Functions host tests: under func start ($FUNCTIONS_HOST_PATH)"
    else
      echo "Functions host tests: under $FUNCTIONS_HOST_PATH"
    fi
  else
    echo "Functions host tests: SKIPPED, no Azure Functions host: $FUNCTIONS_HOST_MISSING"
  fi
}
