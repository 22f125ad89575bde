#!/usr/bin/env bash
# npm run notebook: Jupyter Notebook with the tslab (TypeScript) kernel on notebooks/.
# The kernelspec starts `tslab` from PATH, so the project's node_modules/.bin goes first; Debian's python
# (/usr/bin/python3) has Jupyter, another python3 on PATH may not. The notebooks import dist/, so build it
# when missing. A fresh token each start, printed with the URL (Jupyter prints it too, among its logs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=/usr/bin/python3
PORT=${EDGELAB_NOTEBOOK_PORT:-8899}

if ! "$PY" -m jupyter notebook --version >/dev/null 2>&1; then
  echo "Jupyter Notebook is not installed for $PY: run 'npm run setup:notebooks' first" >&2
  exit 2
fi
if ! PATH="$ROOT/node_modules/.bin:$PATH" "$PY" -m jupyter kernelspec list 2>/dev/null | grep -q '^ *tslab '; then
  echo "the tslab kernel is not registered: run 'npm run setup:notebooks' first" >&2
  exit 2
fi
if [ ! -f dist/src/index.js ]; then
  echo "dist/ is missing: building it first (npm run build)"
  npm run build
fi

TOKEN=$("$PY" -c 'import secrets; print(secrets.token_hex(24))')
ARGS=(--no-browser --ip 127.0.0.1 --port "$PORT" --notebook-dir "$ROOT/notebooks" "--NotebookApp.token=$TOKEN")
[ "$(id -u)" = 0 ] && ARGS+=(--allow-root)

echo "edgelab notebooks: http://127.0.0.1:$PORT/?token=$TOKEN"
echo "(if port $PORT is taken Jupyter picks the next free one and logs its URL below; Ctrl-C twice to stop)"
export PATH="$ROOT/node_modules/.bin:$PATH"
exec "$PY" -m jupyter notebook "${ARGS[@]}" "$@"
