#!/usr/bin/env bash
# Starts etcd + kube-apiserver + kube-controller-manager on loopback (state in
# ${SWITCHYARD_E2E_DIR:-/tmp/switchyard-e2e}) and prints exactly two lines on stdout:
#   export KUBECONFIG=...
#   export PATH=<dir with kubectl and helm>:$PATH
# so `eval "$(make -s e2e-up)"` points the shell at it. All progress goes to stderr.
# Idempotent: an instance that is already up is reported again; a half-started one is replaced.
# Set SWITCHYARD_E2E_CONTROLLER_MANAGER=0 for etcd + kube-apiserver only.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

# Build the binaries when missing (a no-op when cached), then the TypeScript harness.
bash e2e/scripts/build-control-plane.sh >&2

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if (( node_major < 22 )); then
  echo "e2e-up: Node >= 22 is required (found $(node --version 2>/dev/null || echo none)); run through make or put Node 24 first on PATH" >&2
  exit 1
fi
cli=e2e/dist/src/control-plane-cli.js
if [[ ! -f "$cli" ]] || [[ -n "$(find e2e/src e2e/scripts/versions.env -newer "$cli" -print -quit)" ]]; then
  # tsc exits non-zero on type errors anywhere in the referenced projects but still emits.
  bash scripts/build.sh e2e >&2 || echo "e2e-up: tsc reported errors (see above); continuing with what it emitted" >&2
  [[ -f "$cli" ]] || { echo "e2e-up: $cli was not built" >&2; exit 1; }
fi
exec node "$cli" up
