#!/usr/bin/env bash
# Writes a CycloneDX SBOM of a built image with syft (a maintained generator), reading the image
# as an OCI archive saved from podman's store: the Debian packages recorded in
# /var/lib/dpkg/status.d/, the Node binary and every npm package under /app/node_modules.
#   bash scripts/image-sbom.sh IMAGE OUTPUT.cdx.json
#   bash scripts/image-sbom.sh --install      only build syft into the cache (prints its path)
# Environment:
#   PODMAN   the podman command with global flags (default: podman)
#   SYFT     a syft binary to use instead of the pinned one built from Go modules into the cache
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SYFT_VERSION=v1.57.2
install_only=0
if [[ "${1:-}" == --install ]]; then
  install_only=1
else
  [[ $# -eq 2 ]] || { echo "usage: image-sbom.sh IMAGE OUTPUT.cdx.json | --install" >&2; exit 2; }
  image="$1"
  output="$2"
fi
read -r -a podman <<<"${PODMAN:-podman}"

syft="${SYFT:-}"
if [[ -z "$syft" ]]; then
  tools="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}/tools/syft-$SYFT_VERSION"
  syft="$tools/syft"
  if [[ ! -x "$syft" ]]; then
    command -v go >/dev/null || { echo "image-sbom: building syft needs Go (or set SYFT=/path/to/syft)" >&2; exit 1; }
    echo "image-sbom: building syft $SYFT_VERSION from Go modules into $tools (once; a few minutes)" >&2
    mkdir -p "$tools"
    GOBIN="$tools" GOFLAGS=-mod=mod go install "github.com/anchore/syft/cmd/syft@$SYFT_VERSION"
  fi
fi

if [[ $install_only == 1 ]]; then
  echo "$syft"
  exit 0
fi

work="$(mktemp -d /tmp/switchyard-sbom.XXXXXX)"
trap 'rm -rf "$work"' EXIT
"${podman[@]}" save --quiet --format oci-archive -o "$work/image.tar" "$image"
mkdir -p "$(dirname "$output")"
# No update checks, no network: syft reads only the archive.
SYFT_CHECK_FOR_APP_UPDATE=false "$syft" scan --quiet "oci-archive:$work/image.tar" --source-name "${image%%:*}" \
  --source-version "${image##*:}" -o "cyclonedx-json=$output"
echo "image-sbom: wrote $output" >&2
