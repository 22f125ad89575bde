#!/usr/bin/env bash
# Installs what the test suite needs beyond `npm ci`:
#   - Debian packages for headless notebook execution (Jupyter + nbconvert)
#     and Chromium (for report tests);
#   - the tslab (TypeScript) Jupyter kernelspec, registered with Debian's python.
# Idempotent: when everything is present it only checks (about a second).
# Called by `npm test` (pretest) and `npm run setup:notebooks`. Each step is
# announced with one line on stderr; the output of noisy tools goes to a log
# that is printed only when the step fails. Any failure exits non-zero.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY=/usr/bin/python3   # Debian's python: the one the apt Jupyter packages live in
# jupyter-nbconvert / jupyter-client provide the `jupyter nbconvert` / `jupyter kernelspec`
# subcommands (the python3-* library packages have no entry points).
APT_PACKAGES=(python3-nbconvert jupyter-nbconvert jupyter-client python3-ipykernel jupyter-notebook chromium redis-server)

LOG="$(mktemp -t setup-test-env.XXXXXX)"
trap 'rm -f "$LOG"' EXIT

say() { echo "setup-test-env: $*" >&2; }
die() {
  echo "setup-test-env: ERROR: $*" >&2
  if [[ -s "$LOG" ]]; then
    echo "setup-test-env: --- last output of the failed step ---" >&2
    tail -n 40 "$LOG" >&2
  fi
  exit 1
}
# run CMD...: runs quietly into $LOG (truncated per step); returns CMD's status.
run() { "$@" >"$LOG" 2>&1; }

# --- 1. Debian packages ---------------------------------------------------
command -v dpkg-query >/dev/null 2>&1 \
  || die "dpkg-query not found: this script supports Debian/Ubuntu only. Install by hand: ${APT_PACKAGES[*]}"

installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  say "apt packages present: ${APT_PACKAGES[*]}"
else
  if [[ "$(id -u)" != 0 ]]; then
    die "missing Debian packages: ${missing[*]}. Not root, so not installing them. As root run:
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  say "apt-get update (missing: ${missing[*]})"
  run apt-get update || die "apt-get update failed"
  say "apt-get install --no-install-recommends ${missing[*]}"
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"
  for pkg in "${missing[@]}"; do
    installed "$pkg" || die "package $pkg is still not installed after apt-get install"
  done
fi

# The queue tests start Debian's Redis by this exact path (BullMQ needs Redis ≥ 5; Debian 12 ships 7.0).
[[ -x /usr/bin/redis-server ]] \
  || die "/usr/bin/redis-server not found although redis-server is installed"
run /usr/bin/redis-server --version || die "/usr/bin/redis-server --version failed"

for sub in nbconvert kernelspec; do
  run "$PY" -m jupyter "$sub" --version \
    || die "'$PY -m jupyter $sub' does not work although its packages are installed"
done

# --- 2. tslab Jupyter kernel ----------------------------------------------
[[ -x node_modules/.bin/tslab ]] \
  || die "node_modules/.bin/tslab not found: run 'npm ci' first (tslab is a devDependency)"

has_tslab_kernel() {
  local specs
  # stderr to the log: importing ipykernel prints a harmless debugpy warning.
  specs="$("$PY" -m jupyter kernelspec list --json 2>"$LOG")" \
    || die "'$PY -m jupyter kernelspec list --json' failed"
  "$PY" -c 'import json,sys; sys.exit(0 if "tslab" in json.loads(sys.argv[1])["kernelspecs"] else 1)' "$specs"
}

if has_tslab_kernel; then
  say "tslab kernelspec present"
else
  say "installing the tslab kernelspec (npx tslab install --python=$PY)"
  run npx --no -- tslab install --python="$PY" || die "tslab install failed"
  has_tslab_kernel || die "the tslab kernelspec is still missing after 'tslab install'"
fi

say "ok"
