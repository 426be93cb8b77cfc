# Builds the npm package in pkg/: the wasm32 library in the wasm-release profile (opt-level z,
# LTO, one codegen unit), then wasm-bindgen's `web` output, which loads in browsers, in Node 20+
# (pkg/node.js calls initSync with the bytes) and in workerd.
CARGO ?= cargo
WASM_BINDGEN ?= wasm-bindgen
WASM := target/wasm32-unknown-unknown/wasm-release/skopos.wasm

.PHONY: pkg size clean-pkg www
pkg:
	$(CARGO) build --locked --lib --target wasm32-unknown-unknown --profile wasm-release
	$(WASM_BINDGEN) --target web --out-dir pkg --out-name skopos $(WASM)
	@scripts/wasm-size.sh

size:
	@scripts/wasm-size.sh

clean-pkg:
	rm -f pkg/skopos.js pkg/skopos.d.ts pkg/skopos_bg.wasm pkg/skopos_bg.wasm.d.ts pkg/*.tgz

# The image inspector page: a self-contained static site in dist/www/ (the files of www/ plus the
# package's skopos.js and skopos_bg.wasm), servable by any static server.
WWW_FILES := $(wildcard www/*.html www/*.css www/*.js)
www: pkg
	rm -rf dist/www
	mkdir -p dist/www
	cp $(WWW_FILES) pkg/skopos.js pkg/skopos_bg.wasm dist/www/
	@echo "dist/www: $$(ls dist/www | wc -l) files, $$(cat dist/www/* | wc -c) bytes"
