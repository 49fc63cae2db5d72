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
