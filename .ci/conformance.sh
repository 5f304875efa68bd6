#!/usr/bin/env bash
# CI: the official MCP conformance suite (@modelcontextprotocol/conformance, pinned by .ci/conformance/package-lock.json)
# against the built server over Streamable HTTP on loopback. Needs Node >= 22: run it with Node 24 first on PATH.
# Scenarios that cannot apply to this server are listed, each with its reason, in .ci/conformance/expected-failures.yaml;
# the suite exits non-zero on any other failure and on a listed scenario that now passes (stale entry).
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
echo "== conformance on node $(node --version)"
cp .ci/conformance/package.json .ci/conformance/package-lock.json "$work/"
(cd "$work" && npm ci --no-audit --no-fund --silent)
node dist/src/server/cli.js --http 127.0.0.1:0 --cache none --log-level info 2>"$work/server.log" &
server_pid=$!
url=""
for _ in $(seq 1 150); do
  url="$(grep -o '"url":"http://[^"]*"' "$work/server.log" | head -1 | cut -d'"' -f4 || true)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; echo "!! server exited before listening"; exit 1; }
  sleep 0.2
done
[ -n "$url" ] || { cat "$work/server.log"; echo "!! server did not start within 30 s"; exit 1; }
node "$work/node_modules/@modelcontextprotocol/conformance/dist/index.js" server --url "$url" \
  --expected-failures .ci/conformance/expected-failures.yaml -o "$work/out"
