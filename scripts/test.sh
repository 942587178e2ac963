#!/usr/bin/env bash
# Runs the whole suite. Services the tests need are started by the tests themselves; the
# binaries they need are installed here when missing, so a fresh machine needs nothing by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
node --version

if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: installing redis-server (Debian) for the shared-counter tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "test.sh: redis-server is missing and this user cannot install it; Redis tests will skip" >&2
  fi
fi

# Prometheus runs the chart's dashboard queries and alert rules against live metrics
# (operator/test/unit/dashboard-queries-prometheus.test.ts); Debian's package brings promtool too.
if ! command -v prometheus >/dev/null 2>&1; then
  echo "test.sh: installing prometheus (Debian) for the dashboard and alert rule tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  else
    echo "test.sh: prometheus is missing and this user cannot install it; the dashboard query tests will skip" >&2
  fi
fi

# Debian's chromium runs the web console's browser tests (operator/test/cluster/console.test.ts).
if ! command -v chromium >/dev/null 2>&1; then
  echo "test.sh: installing chromium (Debian) for the console browser tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test.sh: chromium is missing and this user cannot install it; console browser tests will skip" >&2
  fi
fi

# podman with runc builds and runs the image (e2e image and Helm journey tests); slirp4netns and
# uidmap are what Debian's podman expects beside it.
if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1; then
  echo "test.sh: installing podman and runc (Debian) for the image tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc slirp4netns uidmap >/dev/null
  else
    echo "test.sh: podman is missing and this user cannot install it; image tests will skip" >&2
  fi
fi

# syft writes the image SBOM (release-image-sbom test): built once from Go modules into the cache,
# here rather than inside a test's deadline (a few minutes cold on 2 cores).
if command -v go >/dev/null 2>&1; then
  bash scripts/image-sbom.sh --install >/dev/null || echo "test.sh: building syft failed; the image SBOM test will skip" >&2
fi

# Only an unfiltered run may rewrite docs/compatibility.md (scripts/compatibility-reporter.mjs).
if [ "$#" -eq 0 ]; then export SWITCHYARD_FULL_TEST_RUN=1; else export SWITCHYARD_FULL_TEST_RUN=0; fi
exec node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js --ci "$@"
