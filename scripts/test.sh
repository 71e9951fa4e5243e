#!/usr/bin/env bash
# The whole test suite: system dependencies, type check, then every test (unit, storage
# contract, HTTP, CLI and the end-to-end browser tests). Run through `npm test`, so `node`
# here is the pinned Node 24 from node_modules/.bin.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh
echo "node $(node --version)"
tsc --noEmit
echo "typecheck: ok"
node --test --test-concurrency=2 --test-reporter=spec "test/**/*.test.ts"
