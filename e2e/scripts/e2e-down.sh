#!/usr/bin/env bash
# Stops what e2e-up started (by the pid files in its state dir) and removes that state.
# Safe to run twice, or after a half-finished e2e-up.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
state_dir="${SWITCHYARD_E2E_DIR:-/tmp/switchyard-e2e}"
cli=e2e/dist/src/control-plane-cli.js
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [[ -f "$cli" ]] && (( node_major >= 22 )); then
  exec node "$cli" down
fi
# Without the compiled harness: same steps in shell (only pids whose binary name matches).
[[ -d "$state_dir" ]] || { echo "e2e-down: nothing at $state_dir" >&2; exit 0; }
if [[ ! -f "$state_dir/.switchyard-e2e-state" && -n "$(ls -A "$state_dir")" ]]; then
  echo "e2e-down: $state_dir was not created by e2e-up; refusing to delete it" >&2
  exit 1
fi
for name in kube-controller-manager kube-apiserver etcd; do
  pid_file="$state_dir/pids/$name.pid"
  [[ -f "$pid_file" ]] || continue
  pid="$(cat "$pid_file")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(basename "$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -1)")" == "$name" ]]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    echo "e2e-down: stopped $name (pid $pid)" >&2
  fi
done
rm -rf "$state_dir"
echo "e2e-down: removed $state_dir" >&2
