#!/usr/bin/env bash
# Prints the size of the npm package's wasm, raw and gzipped, against the budget of 200 KiB
# gzipped. Exits 1 when over budget. Usage: scripts/wasm-size.sh [FILE] (default pkg/skopos_bg.wasm).
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-pkg/skopos_bg.wasm}
budget=$((200 * 1024))
[ -f "$file" ] || { echo "wasm-size: $file does not exist (run make pkg)" >&2; exit 2; }
raw=$(wc -c <"$file")
gz=$(gzip -9 -c "$file" | wc -c)
printf '%s: %d bytes raw (%.1f KiB), %d bytes gzipped (%.1f KiB); budget %d KiB gzipped\n' \
    "$file" "$raw" "$(awk "BEGIN{print $raw/1024}")" "$gz" "$(awk "BEGIN{print $gz/1024}")" $((budget / 1024))
if [ "$gz" -gt "$budget" ]; then
    echo "wasm-size: over budget by $((gz - budget)) bytes" >&2
    exit 1
fi
