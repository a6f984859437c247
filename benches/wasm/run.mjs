// Runs the nanostate benchmarks compiled to wasm (see src/lib.rs) in node.
//
//   node benches/wasm/run.mjs PATH/TO/nanostate_benches_wasm.wasm [--quick] [--json]
//
// `cargo xtask bench-wasm` builds the module and runs this script.
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

const args = process.argv.slice(2)
const path = args.find(a => !a.startsWith('--'))
if (!path) {
  console.error('usage: node run.mjs PATH/TO/nanostate_benches_wasm.wasm [--quick] [--json]')
  process.exit(2)
}
const quick = args.includes('--quick')
const json = args.includes('--json')

let memory
const imports = {
  nanostate_bench: {
    now_ms: () => performance.now(),
    report_panic: (ptr, len) => {
      const text = new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len))
      console.error(`nanostate (wasm): ${text}`)
    }
  }
}
const { instance } = await WebAssembly.instantiate(readFileSync(path), imports)
const wasm = instance.exports
memory = wasm.memory

const results = []
for (let index = 0; index < wasm.workload_count(); index++) {
  const id = `W${wasm.workload_id(index)}`
  if (!json) process.stderr.write(`running ${id}...\n`)
  const value = wasm.run(index, quick ? 1 : 0)
  const unit = wasm.last_is_bytes() ? 'bytes/atom' : 'ns/op'
  results.push({ id, value, unit, target: wasm.last_target() })
}
if (json) {
  console.log(JSON.stringify({ engine: `node ${process.version} (wasm)`, quick, results }))
} else {
  console.log(`nanostate in wasm on node ${process.version}${quick ? ' (quick)' : ''}`)
  for (const r of results) {
    const unit = r.unit === 'ns/op' ? 'ns' : 'B'
    const verdict = r.value <= r.target ? 'met' : 'MISSED'
    console.log(`${r.id}  ${r.value.toFixed(1).padStart(9)} ${unit}   target <= ${r.target} ${unit}: ${verdict}`)
  }
}
