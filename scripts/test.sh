#!/usr/bin/env bash
# The whole test suite: system dependencies, type check, the packages' build, then every test (unit, storage
# contract on memory, SQLite and PostgreSQL, HTTP, CLI, multi-instance, fault and the
# end-to-end browser tests). Run through `npm test`, so `node` here is the pinned Node 24
# from node_modules/.bin. One throwaway PostgreSQL and one Redis serve the whole run
# (scripts/with-test-servers.ts starts them, passes their URLs on, and removes them at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh
echo "node $(node --version)"
# The publishable packages (packages/sdk, packages/browser) compiled to dist/ with tsc, before the
# type check (a fresh clone has no dist/, and the tests import the builds): the
# workspace imports of @gatehouse/sdk and @gatehouse/browser resolve to these builds. The
# server itself runs its .ts directly and needs no build.
npm run -s build
echo "build: ok"
tsc --noEmit
echo "typecheck: ok"
node scripts/with-test-servers.ts node --test --test-concurrency=2 --test-reporter=spec "test/**/*.test.ts"
