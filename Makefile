# Builds the npm package in pkg/: the wasm32 library in the wasm-release profile (opt-level z,
# LTO, one codegen unit, not stripped so that wasm-bindgen reads the target_features section),
# then wasm-bindgen's `web` output, which loads in browsers, in Node 20+ (pkg/node.js calls
# initSync with the bytes) and in workerd, then wasm-opt (npm binaryen, pinned by
# package-lock.json), which optimizes it and strips the names, producers and target_features
# sections. `-O1 -s 2` is the level with the smallest gzipped output: -Oz and -Os give a smaller
# raw file that gzips about 7 KiB larger (see README.md, "Performance").
CARGO ?= cargo
WASM_BINDGEN ?= wasm-bindgen
WASM_OPT ?= node_modules/.bin/wasm-opt
WASM_OPT_FLAGS ?= -O1 -s 2 --strip-debug --strip-producers --strip-target-features
WASM := target/wasm32-unknown-unknown/wasm-release/skopos.wasm

.PHONY: pkg size clean-pkg www worker
pkg:
	@[ -x "$(WASM_OPT)" ] || { echo "$(WASM_OPT) is missing: run scripts/install-deps.sh (npm ci installs binaryen)" >&2; exit 1; }
	$(CARGO) build --locked --lib --target wasm32-unknown-unknown --profile wasm-release
	$(WASM_BINDGEN) --target web --out-dir pkg --out-name skopos $(WASM)
	$(WASM_OPT) $(WASM_OPT_FLAGS) pkg/skopos_bg.wasm -o pkg/skopos_bg.opt.wasm
	mv pkg/skopos_bg.opt.wasm pkg/skopos_bg.wasm
	@scripts/wasm-size.sh

size:
	@scripts/wasm-size.sh

clean-pkg:
	rm -f pkg/skopos.js pkg/skopos.d.ts pkg/skopos_bg.wasm pkg/skopos_bg.opt.wasm pkg/skopos_bg.wasm.d.ts pkg/*.tgz

# The image inspector page: a self-contained static site in dist/www/ (the files of www/ plus the
# package's skopos.js and skopos_bg.wasm), servable by any static server.
WWW_FILES := $(wildcard www/*.html www/*.css www/*.js)
www: pkg
	rm -rf dist/www
	mkdir -p dist/www
	cp $(WWW_FILES) pkg/skopos.js pkg/skopos_bg.wasm dist/www/
	@echo "dist/www: $$(ls dist/www | wc -l) files, $$(cat dist/www/* | wc -c) bytes"

# The edge Worker in dist/worker/: its ES modules (www/worker/) with wasm-bindgen's glue and the
# wasm of the npm package, which wrangler and miniflare import as a compiled WebAssembly.Module.
# The static page is served from dist/www/ (wrangler.toml [assets]).
worker: www
	rm -rf dist/worker
	mkdir -p dist/worker
	cp www/worker/*.js dist/worker/
	cp pkg/skopos.js dist/worker/skopos-wasm.js
	cp pkg/skopos_bg.wasm dist/worker/skopos_bg.wasm
