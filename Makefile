# Builds the npm package in pkg/: the wasm32 library in the wasm-release profile (opt-level z,
# LTO, one codegen unit), then wasm-bindgen's `web` output, which loads in browsers, in Node 20+
# (pkg/node.js calls initSync with the bytes) and in workerd.
CARGO ?= cargo
WASM_BINDGEN ?= wasm-bindgen
WASM := target/wasm32-unknown-unknown/wasm-release/skopos.wasm

.PHONY: pkg size clean-pkg
pkg:
	$(CARGO) build --locked --lib --target wasm32-unknown-unknown --profile wasm-release
	$(WASM_BINDGEN) --target web --out-dir pkg --out-name skopos $(WASM)
	@scripts/wasm-size.sh

size:
	@scripts/wasm-size.sh

clean-pkg:
	rm -f pkg/skopos.js pkg/skopos.d.ts pkg/skopos_bg.wasm pkg/skopos_bg.wasm.d.ts pkg/*.tgz
