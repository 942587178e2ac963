#!/usr/bin/env bash
# Runs the whole suite. Services the tests need (Redis, the Kubernetes test control plane) are
# started here by the tests themselves, so a fresh machine needs nothing installed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
node --version
exec node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js --ci "$@"
