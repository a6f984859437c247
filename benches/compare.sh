#!/usr/bin/env bash
# Runs the nanostate benchmarks (Rust) and the same workloads on the real
# Nano Stores npm package (node), then prints one side-by-side table.
#
#   benches/compare.sh            # full run (about a minute with the build)
#   benches/compare.sh --quick    # smoke test
#
# Extra arguments (--quick, --only W1,W4) are passed to both benchmarks.
# Needs cargo, node >= 20 and npm (only to install the pinned nanostores once).
set -euo pipefail

benches="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$benches")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ ! -f "$benches/node/node_modules/nanostores/package.json" ]; then
  echo "installing node dependencies (npm ci)..." >&2
  (cd "$benches/node" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

echo "building nanostate-benches (release)..." >&2
(cd "$root" && cargo build --release --quiet -p nanostate-benches)

# One after the other, so the two never compete for a core.
echo "running nanostate (Rust)..." >&2
(cd "$root" && cargo run --release --quiet -p nanostate-benches -- --json "$@") >"$tmp/rust.json"
echo "running nanostores (node)..." >&2
node --expose-gc "$benches/node/bench.mjs" --json "$@" >"$tmp/node.json"

node - "$tmp/rust.json" "$tmp/node.json" <<'JS'
const fs = require('node:fs')
const [rust, nano] = process.argv.slice(2).map(f => JSON.parse(fs.readFileSync(f, 'utf8')))
const byId = Object.fromEntries(nano.results.map(r => [r.id, r]))
const fmt = r => (r ? `${r.value.toFixed(1)} ${r.unit === 'ns/op' ? 'ns' : 'B'}` : 'n/a')
const rows = rust.results.map(r => {
  const n = byId[r.id]
  const unit = r.unit === 'ns/op' ? 'ns' : 'B'
  return [
    `${r.id} ${r.title}`,
    fmt(r),
    fmt(n),
    n ? `${(r.value / n.value).toFixed(2)}x` : 'n/a',
    `<= ${r.target} ${unit}`,
    r.pass ? 'met' : 'MISSED'
  ]
})
const head = ['workload', 'nanostate', 'nanostores (node)', 'ratio', 'target', 'nanostate vs target']
const widths = head.map((h, i) => Math.max(h.length, ...rows.map(row => row[i].length)))
const line = cells =>
  '| ' + cells.map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |'
console.log(`nanostate (${rust.mode} run) vs ${nano.implementation}`)
console.log('ratio = nanostate / nanostores: below 1 means nanostate is faster (or smaller)\n')
console.log(line(head))
console.log('|' + widths.map((w, i) => (i === 0 || i === 5 ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|')
for (const row of rows) console.log(line(row))
const met = rust.results.filter(r => r.pass).length
console.log(`\nnanostate meets ${met} of ${rust.results.length} targets`)
const w4 = rust.results.find(r => r.id === 'W4')
if (w4) console.log(`W4 (nanostate): ${w4.notes}`)
JS
