// The nanostate benchmark workloads (W1-W6) on the real Nano Stores npm
// package (nanostores 1.5.2), for comparison with benches/src/workloads.rs.
//
//   node --expose-gc bench.mjs [--quick] [--json] [--only W1,W4]
//
// Same structure as the Rust harness: one untimed warm-up repetition (the JIT
// also needs it), then several timed repetitions, median ns per operation.
// Without --expose-gc the script re-runs itself with it (W6 needs gc()).

import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// Nano Stores checks NODE_ENV when a store is created (not at import); in
// development mode every store also gets a `clean` hook for tests. Measure the
// production configuration unless the caller chose otherwise.
process.env.NODE_ENV ??= 'production'

if (typeof globalThis.gc !== 'function') {
  let child = spawnSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit' }
  )
  process.exit(child.status ?? 1)
}

let { atom, computed } = await import('nanostores')
let { version } = (
  await import('nanostores/package.json', { with: { type: 'json' } })
).default

let argv = process.argv.slice(2)
let quick = argv.includes('--quick')
let json = argv.includes('--json')
let onlyIndex = argv.indexOf('--only')
let only =
  onlyIndex >= 0 ? argv[onlyIndex + 1].toUpperCase().split(',') : undefined

let ops = full => (quick ? Math.max(1, Math.floor(full / 20)) : full)
let REPS = quick ? 3 : 9
let WARMUPS = 1

// Results go somewhere the JIT cannot prove unused (like black_box).
let sink = 0

function measure(n, rep) {
  for (let i = 0; i < WARMUPS; i++) rep(n)
  let perOp = []
  for (let i = 0; i < REPS; i++) {
    let start = process.hrtime.bigint()
    rep(n)
    perOp.push(Number(process.hrtime.bigint() - start) / n)
  }
  perOp.sort((a, b) => a - b)
  let mid = perOp.length >> 1
  let median =
    perOp.length % 2 ? perOp[mid] : (perOp[mid - 1] + perOp[mid]) / 2
  return {
    max: perOp[perOp.length - 1],
    median,
    min: perOp[0],
    ops: n,
    reps: REPS,
    totalOps: n * (REPS + WARMUPS)
  }
}

function check(id, what, expected, actual) {
  if (expected !== actual) {
    throw new Error(
      `${id} check failed: ${what}: expected ${expected}, got ${actual}`
    )
  }
}

function timed(id, title, target, t, notes) {
  return {
    id,
    max: t.max,
    min: t.min,
    notes,
    ops: t.ops,
    pass: t.median <= target,
    reps: t.reps,
    target,
    title,
    unit: 'ns/op',
    value: t.median
  }
}

// W1: atom.set with 1 listener; every set changes the value.
function w1() {
  let calls = 0
  let $a = atom(0)
  $a.listen(v => {
    sink = v
    calls++
  })
  let next = 0
  let t = measure(ops(1_000_000), n => {
    for (let i = 0; i < n; i++) $a.set(++next)
  })
  check('W1', 'listener calls', t.totalOps, calls)
  check('W1', 'final value', next, $a.get())
  return timed('W1', 'atom.set, 1 listener', 15, t, `${calls} listener calls verified`)
}

// W2: atom.set with 100 listeners.
function w2() {
  let calls = 0
  let $a = atom(0)
  for (let k = 0; k < 100; k++) {
    $a.listen(v => {
      sink = v
      calls++
    })
  }
  let next = 0
  let t = measure(ops(100_000), n => {
    for (let i = 0; i < n; i++) $a.set(++next)
  })
  check('W2', 'listener calls', t.totalOps * 100, calls)
  return timed('W2', 'atom.set, 100 listeners', 250, t, `${calls} listener calls verified`)
}

// W3: atom -> chain of 10 computed (each previous + 1) -> 1 listener.
function w3() {
  let calls = 0
  let $a = atom(0)
  let $last = $a
  for (let k = 0; k < 10; k++) $last = computed($last, v => v + 1)
  $last.listen(v => {
    sink = v
    calls++
  })
  let next = 0
  let t = measure(ops(100_000), n => {
    for (let i = 0; i < n; i++) $a.set(++next)
  })
  check('W3', 'listener calls', t.totalOps, calls)
  check('W3', 'last computed value', next + 10, $last.get())
  return timed('W3', '10-computed chain, 1 listener', 200, t, `${calls} listener calls verified`)
}

// W4: diamond: atom -> 100 computed -> 1 sum computed -> 1 listener, which
// must fire exactly once per set.
function w4() {
  let WIDTH = 100
  let calls = 0
  let $a = atom(0)
  let mids = []
  for (let k = 0; k < WIDTH; k++) mids.push(computed($a, v => v + k))
  let $sum = computed(mids, (...values) => {
    let s = 0
    for (let v of values) s += v
    return s
  })
  $sum.listen(v => {
    sink = v
    calls++
  })
  let expectedSum = x => WIDTH * x + (WIDTH * (WIDTH - 1)) / 2
  let next = 0
  for (let setNo = 1; setNo <= 1000; setNo++) {
    let before = calls
    $a.set(++next)
    let fired = calls - before
    if (fired !== 1) {
      throw new Error(
        `W4 check failed: set #${setNo} (value ${next}) fired the sum listener ` +
          `${fired} times; expected exactly 1 call per set`
      )
    }
    check('W4', 'sum after set', expectedSum(next), $sum.get())
  }
  let callsBefore = calls
  let t = measure(ops(5_000), n => {
    for (let i = 0; i < n; i++) $a.set(++next)
  })
  let fired = calls - callsBefore
  if (fired !== t.totalOps) {
    throw new Error(
      `W4 check failed: ${t.totalOps} sets fired the sum listener ${fired} ` +
        'times; expected exactly 1 call per set'
    )
  }
  check('W4', 'final sum', expectedSum(next), $sum.get())
  return timed(
    'W4',
    'diamond 1→100→sum, 1 listener',
    2500,
    t,
    `listener calls/set = ${(fired / t.totalOps).toFixed(3)} ` +
      `(${fired} calls / ${t.totalOps} sets, verified)`
  )
}

// W5: create an atom, subscribe (one immediate call), unsubscribe, drop.
function w5() {
  let calls = 0
  let listener = v => {
    sink = v
    calls++
  }
  let i = 0
  let t = measure(ops(1_000_000), n => {
    for (let k = 0; k < n; k++) {
      let $a = atom(++i)
      let unbind = $a.subscribe(listener)
      unbind()
      sink = $a.lc
    }
  })
  check('W5', 'subscribe calls', t.totalOps, calls)
  return timed('W5', 'new atom+subscribe+unsub+drop', 35, t, `${calls} subscribe calls verified`)
}

// W6: heap bytes per atom with one listener (unbind kept), measured with
// process.memoryUsage().heapUsed around a full GC; includes the two arrays
// holding the atoms and their unbind functions.
function w6() {
  let N = 10_000
  let listener = v => {
    sink = v
  }
  let heap = () => {
    gc()
    gc()
    return process.memoryUsage().heapUsed
  }
  // Warm up the code paths so compiled code is not counted.
  for (let i = 0; i < 1000; i++) atom(i).listen(listener)()
  let before = heap()
  let atoms = new Array(N)
  let unbinds = new Array(N)
  for (let i = 0; i < N; i++) {
    atoms[i] = atom(i)
    unbinds[i] = atoms[i].listen(listener)
  }
  let after = heap()
  let listeners = 0
  for (let $a of atoms) listeners += $a.lc
  check('W6', 'listeners', N, listeners)
  sink = unbinds.length
  let bytes = (after - before) / N
  return {
    id: 'W6',
    max: null,
    min: null,
    notes: `heapUsed delta after gc() over ${N} atoms (incl. 2 holder arrays, 16 B/atom)`,
    ops: N,
    pass: bytes <= 150,
    reps: 1,
    target: 150,
    title: 'memory per atom + 1 listener',
    unit: 'bytes/atom',
    value: bytes
  }
}

let ALL = { W1: w1, W2: w2, W3: w3, W4: w4, W5: w5, W6: w6 }
let ids = Object.keys(ALL).filter(id => !only || only.includes(id))
// W6 first, like the Rust harness, on a heap the other workloads left clean.
let order = [...ids].sort((a, b) => (b === 'W6') - (a === 'W6'))
let results = {}
for (let id of order) {
  if (!json) process.stderr.write(`running ${id}... `)
  results[id] = ALL[id]()
  if (!json) {
    process.stderr.write(`${results[id].value.toFixed(1)} ${results[id].unit}\n`)
  }
}
let list = ids.map(id => results[id])

if (json) {
  let out = {
    implementation: `nanostores ${version} (node ${process.version}, NODE_ENV=${process.env.NODE_ENV})`,
    mode: quick ? 'quick' : 'full',
    results: list
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n')
} else {
  console.log(
    `nanostores ${version} on node ${process.version} ` +
      `(NODE_ENV=${process.env.NODE_ENV}, ${quick ? 'quick' : 'full'} run, median of ${REPS} reps)\n`
  )
  let pad = (s, n) => String(s).padEnd(n)
  let lpad = (s, n) => String(s).padStart(n)
  console.log(
    `${pad('id', 4)} ${pad('workload', 32)} ${lpad('result', 12)} ${lpad('min..max', 19)} ${lpad('target', 10)}  status`
  )
  console.log('-'.repeat(89))
  for (let r of list) {
    let unit = r.unit === 'ns/op' ? 'ns' : 'B'
    let spread = r.min === null ? '-' : `${r.min.toFixed(1)}..${r.max.toFixed(1)}`
    console.log(
      `${pad(r.id, 4)} ${pad(r.title, 32)} ${lpad(r.value.toFixed(1), 9)} ${pad(unit, 2)} ` +
        `${lpad(spread, 19)} ${lpad('≤' + r.target, 7)} ${pad(unit, 2)}  ${r.pass ? 'PASS' : 'MISS'}`
    )
  }
  console.log()
  for (let r of list) console.log(`${r.id}: ${r.notes}`)
}
