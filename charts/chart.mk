# Helm chart and container image targets, included by the root Makefile.
#   make image              build the image into podman's local store, no registry needed
#                           (IMAGE names the tag; default localhost/switchyard:<appVersion>)
#   make image-docker       the same image with `docker build` from the Dockerfile (needs a registry)
#   make chart-lint         helm lint --strict, CRD drift check, Dockerfile lint (hadolint)
#   make chart-crds         copy crds/ into charts/switchyard/crds/ (keeps them byte-identical)
#   make chart-test         the chart's jest tests (helm template; real API server when built)
#   make dockerfile-lint    hadolint + project rules (no Docker needed)
.PHONY: image image-docker chart-lint chart-crds chart-test dockerfile-lint

CHART_DIR := charts/switchyard
CHART_APP_VERSION := $(shell sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$$/\1/p' $(CHART_DIR)/Chart.yaml)
IMAGE_REPOSITORY ?= switchyard
IMAGE_TAG ?= $(CHART_APP_VERSION)
DOCKER ?= docker
# helm from PATH, else the one the e2e build caches (make e2e-build).
CHART_K8S_VERSION := $(shell sed -n 's/^K8S_VERSION=//p' e2e/scripts/versions.env)
HELM ?= $(shell command -v helm 2>/dev/null || echo $${SWITCHYARD_CACHE:-$$HOME/.cache/switchyard}/k8s-$(CHART_K8S_VERSION)/bin/helm)

IMAGE ?= localhost/$(IMAGE_REPOSITORY):$(IMAGE_TAG)
image: build
	IMAGE=$(IMAGE) bash scripts/build-image.sh

image-docker:
	@command -v $(DOCKER) >/dev/null 2>&1 && $(DOCKER) info >/dev/null 2>&1 \
	  || { echo "image: needs a running Docker engine (not available here); 'make dockerfile-lint' checks the Dockerfile without it" >&2; exit 1; }
	$(DOCKER) build --build-arg VERSION=$(IMAGE_TAG) -t $(IMAGE_REPOSITORY):$(IMAGE_TAG) .

chart-crds:
	bash charts/sync-crds.sh

dockerfile-lint:
	bash scripts/check-dockerfile.sh

chart-lint: dockerfile-lint
	bash charts/sync-crds.sh --check
	@test -x "$(HELM)" || { echo "chart-lint: helm not found (put it on PATH or run 'make e2e-build')" >&2; exit 1; }
	$(HELM) lint --strict $(CHART_DIR)
	$(HELM) lint --strict $(CHART_DIR) --set networkPolicy.enabled=true,serviceMonitor.enabled=true,redis.url=redis://redis:6379/0,operator.watchNamespaces={team-a}

chart-test: build
	node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js e2e/dist/test/helm-

# make chart-package: the installable chart archive, $(RELEASE_DIR)/switchyard-<chart version>.tgz
# (`helm install NAME ./dist-release/switchyard-0.1.0.tgz`, docs/install.md). It refuses to package
# a chart whose appVersion is not the package.json version (the one version source for package,
# chart and image) or whose crds/ drifted from the top-level crds/.
RELEASE_DIR ?= dist-release
PACKAGE_VERSION := $(shell sed -n 's/^  "version": "\([^"]*\)",$$/\1/p' package.json)
.PHONY: chart-package
chart-package:
	@test -x "$(HELM)" || { echo "chart-package: helm not found (put it on PATH or run 'make e2e-build')" >&2; exit 1; }
	@[ "$(CHART_APP_VERSION)" = "$(PACKAGE_VERSION)" ] \
	  || { echo "chart-package: $(CHART_DIR)/Chart.yaml appVersion $(CHART_APP_VERSION) is not the package.json version $(PACKAGE_VERSION)" >&2; exit 1; }
	bash charts/sync-crds.sh --check
	mkdir -p $(RELEASE_DIR)
	$(HELM) package $(CHART_DIR) --destination $(RELEASE_DIR)
