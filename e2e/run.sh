#!/usr/bin/env bash
# End-to-end test of `perelom serve` in Debian's headless Chromium (and, with --load, the
# load test). Installs what is missing: chromium (apt-get) and playwright-core (npm; it
# never downloads a browser), builds the release binary, runs the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [ ! -x /usr/bin/chromium ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -d node_modules/playwright-core ]; then
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
(cd .. && cargo build --release -p perelom)

node explorer.test.js
if [ "${1:-}" = "--load" ]; then
    node load.js
fi
