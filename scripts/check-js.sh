#!/usr/bin/env bash
# Checks the JavaScript of the page (www/) and the edge Worker (www/worker/): one formatter
# (prettier, .prettierrc.json) for all of it, and the TypeScript compiler over the plain JS
# (`checkJs`, no emit) against the npm package's generated `pkg/skopos.d.ts`, so that every call
# into the package and every error code the JS names is checked by a compiler.
#
# The files are checked as `make www` and `make worker` lay them out: the page's modules beside
# `skopos.d.ts` (for `./skopos.js`), the Worker's beside it as `skopos-wasm.d.ts`, in
# target/typecheck/. Needs `make pkg` first (for pkg/skopos.d.ts) and node_modules (npm ci).
# `scripts/check-js.sh --write` formats the files in place instead of checking.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin

if [ "${1:-}" = "--write" ]; then
    exec "$bin/prettier" --log-level warn --write 'www/**/*.js' pkg/node.js
fi
"$bin/prettier" --check --log-level warn 'www/**/*.js' pkg/node.js

[ -f pkg/skopos.d.ts ] || { echo "pkg/skopos.d.ts is missing: run make pkg first" >&2; exit 1; }
stage=target/typecheck
rm -rf "$stage"
mkdir -p "$stage/worker"
cp www/*.js "$stage/"
cp www/worker/*.js "$stage/worker/"
cp pkg/skopos.d.ts "$stage/skopos.d.ts"
cp pkg/skopos.d.ts "$stage/worker/skopos-wasm.d.ts"
cp www/types/*.d.ts "$stage/"
cp www/tsconfig.json "$stage/tsconfig.json"
"$bin/tsc" -p "$stage/tsconfig.json"
