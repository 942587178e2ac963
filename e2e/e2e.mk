# Test control plane targets, included by the root Makefile. See docs/e2e.md.
#   make e2e-build          build/cache etcd, kube-apiserver, kube-controller-manager, kubectl, helm
#   eval "$(make -s e2e-up)" start them on loopback and point KUBECONFIG/PATH at them
#   make e2e-down           stop them and delete their state
#   make e2e-kind           the Docker path (kind); cannot run on machines without Docker
.PHONY: e2e-build e2e-up e2e-down e2e-kind

# `make test` (and so CI) builds the control plane first: 10-35 minutes cold on 2 cores (by load),
# seconds once cached in ~/.cache/switchyard. Without the binaries the control-plane tests skip.
# `make test E2E_BUILD=0` skips the build.
E2E_BUILD ?= 1
ifeq ($(E2E_BUILD),1)
test: e2e-build
endif

e2e-build:
	@bash e2e/scripts/build-control-plane.sh

# Only the two export lines reach stdout (builds log to stderr), so `eval "$(make -s e2e-up)"` works.
e2e-up:
	@$(MAKE) --no-print-directory -s install >&2
	@bash e2e/scripts/e2e-up.sh

e2e-down:
	@bash e2e/scripts/e2e-down.sh

E2E_KIND_CLUSTER ?= switchyard-e2e
e2e-kind:
	@command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 \
	  || { echo "e2e-kind: needs a running Docker engine (not available here); use 'make e2e-up' instead" >&2; exit 1; }
	@command -v kind >/dev/null 2>&1 \
	  || { echo "e2e-kind: needs kind on PATH (go install sigs.k8s.io/kind@v0.26.0)" >&2; exit 1; }
	@kind get clusters 2>/dev/null | grep -qx '$(E2E_KIND_CLUSTER)' \
	  || kind create cluster --name '$(E2E_KIND_CLUSTER)' >&2
	@kind get kubeconfig --name '$(E2E_KIND_CLUSTER)' > "$${SWITCHYARD_E2E_DIR:-/tmp/switchyard-e2e}-kind.kubeconfig"
	@echo "export KUBECONFIG=$${SWITCHYARD_E2E_DIR:-/tmp/switchyard-e2e}-kind.kubeconfig"
