#!/usr/bin/env bash
# Copies the top-level crds/ (the single source of truth) into the chart's crds/ so both stay
# byte-identical. `--check` only reports drift (exit 1) and changes nothing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/crds"
dst="$root/charts/switchyard/crds"

drift=0
for file in "$src"/*.yaml; do
  name="$(basename "$file")"
  if ! cmp -s "$file" "$dst/$name"; then
    drift=1
    [[ "${1:-}" == --check ]] && echo "chart CRD differs from crds/: charts/switchyard/crds/$name" >&2
  fi
done
for file in "$dst"/*.yaml; do
  [[ -e "$file" ]] || continue
  if [[ ! -e "$src/$(basename "$file")" ]]; then
    drift=1
    [[ "${1:-}" == --check ]] && echo "chart CRD has no source in crds/: charts/switchyard/crds/$(basename "$file")" >&2
  fi
done

if [[ "${1:-}" == --check ]]; then
  [[ $drift == 0 ]] || echo "run: bash charts/sync-crds.sh" >&2
  exit "$drift"
fi

mkdir -p "$dst"
rm -f "$dst"/*.yaml
cp "$src"/*.yaml "$dst"/
echo "synced $(ls "$src"/*.yaml | wc -l) CRDs into charts/switchyard/crds/"
