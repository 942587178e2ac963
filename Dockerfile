# syntax=docker/dockerfile:1.7
# Switchyard image: one `switchyard` command for both programs (`gateway` and `operator`).
#   docker build --build-arg VERSION=0.1.0 -t switchyard:0.1.0 .      (any machine with a registry)
#   make image                                                        (podman, no registry needed)
#   docker run --rm switchyard:0.1.0 gateway --help
# The build stage compiles TypeScript, then lays out the runtime root filesystem with the same two
# scripts `make image` runs on the host (scripts/image-app.sh, scripts/image-rootfs.sh): Node 24
# and only the libraries it links, CA certificates, the non-root user 10001, compiled JavaScript,
# production node_modules and the CRDs. The runtime stage starts from scratch: no shell, no
# package manager, nothing that is not listed in the image's SBOM.

ARG NODE_BUILD_IMAGE=node:24-bookworm-slim

FROM ${NODE_BUILD_IMAGE} AS build
WORKDIR /src
ENV NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false
# The CA bundle is copied into the image; the slim base does not carry it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates=* \
 && rm -rf /var/lib/apt/lists/*

# Manifests first, so the dependency layer is reused until a package.json or the lockfile
# changes. Every workspace's package.json is needed for `npm ci` to accept the lockfile.
COPY package.json package-lock.json ./
COPY compiler/package.json compiler/
COPY gateway/package.json gateway/
COPY operator/package.json operator/
COPY e2e/package.json e2e/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts

COPY tsconfig.base.json tsconfig.json ./
COPY scripts/image-app.sh scripts/image-rootfs.sh scripts/
COPY crds/ crds/
COPY bin/ bin/
COPY compiler/ compiler/
COPY gateway/ gateway/
COPY operator/ operator/

# Compile only the programs' sources (src/), not the test suites, in dependency order; then lay
# out /app and the runtime root filesystem.
RUN --mount=type=cache,target=/root/.npm \
    for workspace in compiler gateway operator; do \
      printf '{"extends": "./tsconfig.json", "include": ["src"], "references": []}\n' > "$workspace/tsconfig.image.json" \
      && npx tsc -p "$workspace/tsconfig.image.json" || exit 1; \
    done \
 && bash scripts/image-app.sh /src /app \
 && bash scripts/image-rootfs.sh /app /usr/local/bin/node /rootfs

# The runtime stage. scripts/build-image.sh builds this stage alone from a root filesystem laid
# out on the host: keep the COPY line below exactly as it is.
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="switchyard" \
      org.opencontainers.image.description="Kubernetes-native LLM gateway: gateway and operator" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /rootfs/ /
ENV NODE_ENV=production \
    PATH=/nodejs/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /app
# Numeric, so runAsNonRoot can verify it; the chart runs as 10001 too (runAsUser).
USER 10001:10001
# gateway: 8080 public API, 9090 admin (health, /metrics); operator: 8443 table stream, 8081 health.
EXPOSE 8080 9090 8443 8081
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/switchyard.mjs"]
CMD ["--help"]
