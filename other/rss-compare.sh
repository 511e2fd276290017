#!/usr/bin/env bash
# Steady RSS of the production server started two ways, same build, same work: the
# bundle on plain Node (`npm start`) and the TypeScript sources under tsx. Each reads
# every post of the sample blog four times, then idles past the worker threads' timeout.
# Needs a build (npm run build). Prints both figures and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
slugs=$(ls content/blog | sed 's/\.mdx\?$//')

measure() {
  local port=$1; shift
  local dir; dir=$(mktemp -d)
  NODE_ENV=production MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536 MALLOC_TRIM_THRESHOLD_=131072 \
    PORT=$port DATABASE_PATH="$dir/kiln.db" HIGHLIGHT_IDLE_MS=1000 COMPILE_IDLE_MS=1000 node "$@" > "$dir/log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 300); do grep -qs "listening on" "$dir/log" && break; sleep 0.2; done
  for _ in 1 2 3 4; do for slug in $slugs; do curl -s -o /dev/null "http://127.0.0.1:$port/blog/$slug"; done; done
  sleep 8
  awk '/VmRSS/ { print $2 }' "/proc/$pid/status"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

bundled=$(measure 4101 server/start.mjs)
under_tsx=$(measure 4102 --import tsx server/index.ts)
echo "steady RSS, bundle on plain Node: $((bundled / 1024)) MB"
echo "steady RSS, sources under tsx:    $((under_tsx / 1024)) MB"
awk -v a="$bundled" -v b="$under_tsx" 'BEGIN { printf "ratio bundle/tsx: %.2f\n", a / b }'
