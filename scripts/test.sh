#!/usr/bin/env bash
# The test command (`npm test`): makes sure the real tools the tests talk to are installed, rebuilds dist/ (the
# end-to-end tests run dist/ exactly as a runner does), then runs jest. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-tools.sh
npm run -s build >/dev/null
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--experimental-vm-modules"
export NODE_NO_WARNINGS=1
# CI asks for jest's own result as JSON (to print a plain "N passed, N failed" line).
if [ -n "${JEST_JSON_OUTPUT:-}" ]; then set -- --json --outputFile="$JEST_JSON_OUTPUT" "$@"; fi
exec npx jest "$@"
