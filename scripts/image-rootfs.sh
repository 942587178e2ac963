#!/usr/bin/env bash
# Lays out the runtime image's whole root filesystem, distroless style: the Node binary and only
# the shared libraries it links, CA certificates, /etc/passwd and /etc/group with the non-root
# user 10001, an empty world-writable /tmp (the chart mounts an emptyDir over it), and /app.
# No shell, no package manager. The Debian packages the libraries come from are recorded in
# /var/lib/dpkg/status.d/ (with their copyright files), the layout vulnerability scanners and SBOM
# generators read in distroless images, so the image states exactly what it contains.
#   bash scripts/image-rootfs.sh APP_DIR NODE_BINARY ROOTFS_DIR
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: image-rootfs.sh APP_DIR NODE_BINARY ROOTFS_DIR" >&2; exit 2; }
app="$1"
node="$2"
rootfs="$3"
fail() { echo "image-rootfs: $*" >&2; exit 1; }
[[ -f "$app/bin/switchyard.mjs" && -d "$app/node_modules" && -d "$app/crds" ]] || fail "$app is not an /app laid out by scripts/image-app.sh"
[[ -x "$node" ]] || fail "no Node binary at $node"
major="$("$node" -p 'process.versions.node.split(".")[0]')"
[[ "$major" == 24 ]] || fail "the image runs Node 24; $node is Node $major"
ca_bundle=/etc/ssl/certs/ca-certificates.crt
[[ -s "$ca_bundle" ]] || fail "$ca_bundle is missing (install the ca-certificates package)"
command -v ldd >/dev/null || fail "ldd is missing (libc-bin)"

rm -rf "$rootfs"
mkdir -p "$rootfs"/{nodejs/bin,etc/ssl/certs,tmp,var/lib/dpkg/status.d,usr/share/doc}
chmod 1777 "$rootfs/tmp"
install -m 0755 "$node" "$rootfs/nodejs/bin/node"

# The libraries as the dynamic loader resolves them, each copied (symlinks followed) to the path
# the loader looks for; the packages that own them recorded for scanners.
declare -A packages=()
while read -r library; do
  [[ -n "$library" ]] || continue
  mkdir -p "$rootfs$(dirname "$library")"
  cp -L "$library" "$rootfs$library"
  owner="$(dpkg-query -S "$library" 2>/dev/null || dpkg-query -S "$(readlink -f "$library")" 2>/dev/null || true)"
  [[ -n "$owner" ]] && packages["${owner%%:*}"]=1
done < <(ldd "$node" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
for package in "${!packages[@]}"; do
  name="${package%%:*}"
  dpkg-query -s "$package" >"$rootfs/var/lib/dpkg/status.d/$name"
  if [[ -f "/usr/share/doc/$name/copyright" ]]; then
    mkdir -p "$rootfs/usr/share/doc/$name"
    cp "/usr/share/doc/$name/copyright" "$rootfs/usr/share/doc/$name/"
  fi
done
[[ ${#packages[@]} -gt 0 ]] || fail "no Debian package owns the libraries of $node (is this a Debian build host?)"

cp "$ca_bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:10001:10001:switchyard:/nonexistent:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:10001:\n' >"$rootfs/etc/group"
# Names the distribution the libraries come from, so scanners match them against its advisories
# (Debian's security tracker) and SBOMs give them pkg:deb purls.
[[ -r /etc/os-release ]] || fail "/etc/os-release is missing: cannot say which distribution the libraries come from"
(
  # shellcheck disable=SC1091
  . /etc/os-release
  [[ "${ID:-}" == debian ]] || fail "the libraries must come from Debian (this host is ${ID:-unknown})"
  printf 'PRETTY_NAME="Switchyard (libraries from %s)"\nNAME="%s"\nID=%s\nVERSION_ID="%s"\nVERSION_CODENAME=%s\nHOME_URL="%s"\n' \
    "$PRETTY_NAME" "$NAME" "$ID" "$VERSION_ID" "${VERSION_CODENAME:-}" "${HOME_URL:-}" >"$rootfs/etc/os-release"
)
# getaddrinfo reads these; without nsswitch.conf glibc still falls back to files then DNS.
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

cp -a "$app" "$rootfs/app"
# Owned by root and not writable by the runtime user: the process cannot change its own code.
chown -R 0:0 "$rootfs" 2>/dev/null || true
chmod -R go-w "$rootfs/app"
