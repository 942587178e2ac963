#!/usr/bin/env bash
# Type-check and compile every workspace. Serialized with a lock so concurrent builds in one
# work tree (several terminals, editors) never interleave writes to dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
exec flock /tmp/switchyard-build.lock npx tsc -b "$@"
