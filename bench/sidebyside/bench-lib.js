#!/usr/bin/env node
// One library, one trace, one process:  node --expose-gc bench-lib.js LIB TRACE.json.gz
// Prints exactly one JSON line on stdout:
//   {"lib","trace","patches","applyMs","encodeMs","bytes","loadMs","mergeMs","heapBytes","textMatches", ...extras}
// run.sh starts a fresh process per library so that heaps (JS and wasm) never mix.
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { performance } = require('perf_hooks');

// --- wasm linear memory capture -------------------------------------------------------
// loro-crdt, diamond-types-node and automerge are Rust compiled to wasm: their documents
// live in WebAssembly.Memory, not in the V8 heap. All three instantiate synchronously with
// `new WebAssembly.Instance(...)`, so wrap that constructor (before the library is
// required) and remember every exported memory. The size reported is the linear memory's
// current size, i.e. its high-water mark: wasm memory grows but never shrinks.
const wasmMemories = [];
{
  const RealInstance = WebAssembly.Instance;
  WebAssembly.Instance = new Proxy(RealInstance, {
    construct(target, args, newTarget) {
      const inst = Reflect.construct(target, args, newTarget);
      for (const v of Object.values(inst.exports)) {
        if (v instanceof WebAssembly.Memory) wasmMemories.push(v);
      }
      return inst;
    },
  });
  const realInstantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async function (...args) {
    const r = await realInstantiate.apply(this, args);
    const inst = r instanceof RealInstance ? r : r.instance;
    if (inst) for (const v of Object.values(inst.exports)) if (v instanceof WebAssembly.Memory) wasmMemories.push(v);
    return r;
  };
}
const wasmBytes = () => wasmMemories.reduce((s, m) => s + m.buffer.byteLength, 0);

const tick = () => new Promise((r) => setImmediate(r));
async function gc() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  // A few rounds with an event-loop turn between them, so that weak callbacks, freed
  // Buffers and FinalizationRegistry callbacks (wasm-bindgen frees) get to run.
  for (let i = 0; i < 4; i++) { global.gc(); await tick(); }
}
async function mem() {
  await gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss, wasm: wasmBytes() };
}
const now = () => performance.now();
// Module-level so V8's liveness analysis cannot drop the flattened trace between the two
// memory samples (otherwise its ~2 MB would be subtracted from the document's share).
const keepAlive = [];
// Read from node_modules directly: @automerge/automerge's "exports" hides its package.json.
const pkgVersion = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', name, 'package.json'), 'utf8')).version;
const round = (x) => Math.round(x * 100) / 100;

// --- adapters -----------------------------------------------------------------------------
// Each adapter: create() -> state; apply(state, pos, del, ins) (one transaction/change/commit per
// patch); text(state); encode(state) -> Uint8Array; load(bytes) -> state;
// prepareMerge(state) -> input (untimed); merge(input) -> state; free(state) (optional).
const adapters = {
  yjs() {
    const Y = require('yjs');
    return {
      version: pkgVersion('yjs'),
      units: 'utf16',
      notes: 'one Y.Doc.transact per patch; load and merge are both Y.applyUpdate of the full state into a fresh Y.Doc (yjs has no separate snapshot format)',
      create() {
        const doc = new Y.Doc();
        doc.clientID = 1234567890; // fixed (yjs picks a random uint32) so bytes are reproducible
        return { doc, text: doc.getText('text') };
      },
      apply(s, pos, del, ins) {
        s.doc.transact(() => {
          if (del > 0) s.text.delete(pos, del);
          if (ins.length > 0) s.text.insert(pos, ins);
        });
      },
      text: (s) => s.text.toString(),
      encode: (s) => Y.encodeStateAsUpdate(s.doc),
      load(bytes) {
        const doc = new Y.Doc();
        Y.applyUpdate(doc, bytes);
        return { doc, text: doc.getText('text') };
      },
      prepareMerge: (s, bytes) => bytes,
      merge(bytes) {
        const doc = new Y.Doc();
        Y.applyUpdate(doc, bytes, 'remote');
        return { doc, text: doc.getText('text') };
      },
      free: (s) => s.doc.destroy(),
    };
  },

  loro() {
    const { LoroDoc } = require('loro-crdt');
    return {
      version: pkgVersion('loro-crdt'),
      units: 'utf16', // LoroText.insert/delete: "utf-16 index" per its typings
      notes: 'text.delete/insert + doc.commit() per patch (loro folds consecutive local commits into one change within its default 1000 s merge interval); bytes = export({mode:"snapshot"}); load = LoroDoc.fromSnapshot; merge = new LoroDoc().import(export({mode:"update"}))',
      create() {
        const doc = new LoroDoc();
        doc.setPeerId(1);
        return { doc, text: doc.getText('text') };
      },
      apply(s, pos, del, ins) {
        if (del > 0) s.text.delete(pos, del);
        if (ins.length > 0) s.text.insert(pos, ins);
        s.doc.commit();
      },
      text: (s) => s.text.toString(),
      encode: (s) => s.doc.export({ mode: 'snapshot' }),
      load(bytes) {
        const doc = LoroDoc.fromSnapshot(bytes);
        return { doc, text: doc.getText('text') };
      },
      prepareMerge: (s) => s.doc.export({ mode: 'update' }),
      merge(update) {
        const doc = new LoroDoc();
        doc.import(update);
        return { doc, text: doc.getText('text') };
      },
      free: (s) => s.doc.free(),
    };
  },

  dt() {
    const { Doc } = require('diamond-types-node');
    return {
      version: pkgVersion('diamond-types-node'),
      units: 'codepoints', // Doc.ins/del take char (code point) positions; wCharsToChars converts
      notes: 'Doc.del/Doc.ins per patch (diamond-types has no transaction concept; each call is one op run); bytes = Doc.toBytes(); load = Doc.fromBytes; merge = new Doc().mergeBytes(bytes)',
      create: () => ({ doc: new Doc('a') }),
      apply(s, pos, del, ins) {
        if (del > 0) s.doc.del(pos, del);
        if (ins.length > 0) s.doc.ins(pos, ins);
      },
      text: (s) => s.doc.get(),
      encode: (s) => s.doc.toBytes(),
      load: (bytes) => ({ doc: Doc.fromBytes(bytes, 'b') }),
      prepareMerge: (s, bytes) => bytes,
      merge(bytes) {
        const doc = new Doc('c');
        doc.mergeBytes(bytes);
        return { doc };
      },
      free: (s) => s.doc.free(),
    };
  },

  automerge() {
    const A = require('@automerge/automerge');
    return {
      version: pkgVersion('@automerge/automerge'),
      units: 'utf16', // JS string indices (not stated in the 3.5.0 typings)
      notes: 'one Automerge.change per patch calling Automerge.splice(d,["text"],pos,del,ins); bytes = save(); load = load(); merge = applyChanges(init(), getAllChanges(doc)) (getAllChanges untimed)',
      create() {
        let doc = A.init({ actor: '0a'.repeat(16) });
        doc = A.change(doc, (d) => { d.text = ''; });
        return { doc };
      },
      apply(s, pos, del, ins) {
        s.doc = A.change(s.doc, (d) => {
          A.splice(d, ['text'], pos, del, ins.length > 0 ? ins : undefined);
        });
      },
      text: (s) => String(s.doc.text),
      encode: (s) => A.save(s.doc),
      load: (bytes) => ({ doc: A.load(bytes, { actor: '0b'.repeat(16) }) }),
      prepareMerge: (s) => A.getAllChanges(s.doc),
      merge(changes) {
        const [doc] = A.applyChanges(A.init({ actor: '0c'.repeat(16) }), changes);
        return { doc };
      },
      free: (s) => A.free(s.doc),
    };
  },
};
const aliases = { 'diamond-types': 'dt', 'diamond-types-node': 'dt', '@automerge/automerge': 'automerge', am: 'automerge', 'loro-crdt': 'loro', y: 'yjs' };

function out(o) {
  process.stdout.write(JSON.stringify(o) + '\n');
}

async function main() {
  const [libArg, traceArg] = process.argv.slice(2);
  if (!libArg || !traceArg) {
    console.error('usage: node --expose-gc bench-lib.js yjs|loro|dt|automerge TRACE.json.gz');
    process.exit(2);
  }
  const lib = aliases[libArg] || libArg;
  const traceName = path.basename(traceArg);
  const base = { lib, trace: traceName, patches: null, applyMs: null, encodeMs: null, bytes: null, loadMs: null, mergeMs: null, heapBytes: null, textMatches: null };
  if (!adapters[lib]) {
    out({ ...base, error: `unknown lib ${libArg}` });
    process.exit(2);
  }

  let raw = fs.readFileSync(traceArg);
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = zlib.gunzipSync(raw);
  let trace = JSON.parse(raw.toString('utf8'));
  raw = null;
  const txns = trace.txns;
  const startContent = trace.startContent || '';
  const endContent = trace.endContent;
  // Concurrent if declared so, or if any txn's parents are not exactly the previous txn.
  const concurrent = trace.kind === 'concurrent' || txns.some((t, i) => Array.isArray(t.parents) &&
    !(i === 0 ? t.parents.length === 0 : t.parents.length === 1 && t.parents[0] === i - 1));
  trace = null;
  // Flatten the patches into parallel arrays so the loop touches no JSON structure.
  let n = 0;
  for (const t of txns) n += t.patches.length;
  base.patches = n;
  if (concurrent) {
    out({ ...base, skipped: 'concurrent trace: only sequential traces are supported for the JS peers' });
    return;
  }
  const P = new Uint32Array(n), D = new Uint32Array(n), I = new Array(n);
  {
    let k = 0;
    for (const t of txns) for (const [p, d, s] of t.patches) { P[k] = p; D[k] = d; I[k] = s || ''; k++; }
  }
  txns.length = 0;
  keepAlive.push(P, D, I);

  const ad = adapters[lib]();
  const result = { ...base, version: ad.version };
  // Trace positions count code points. diamond-types indexes code points too; yjs, loro and
  // automerge take UTF-16 indices. The two agree unless the text has characters outside the
  // BMP (surrogate pairs); converting would need a position index over the text as it evolves,
  // which is not implemented, so such traces are reported as n/a for the UTF-16 libraries.
  const astral = (x) => /[\uD800-\uDFFF]/.test(x);
  if (ad.units === 'utf16' && (astral(startContent) || I.some(astral))) {
    out({ ...result, skipped: 'trace has characters outside the BMP and this library indexes UTF-16 (conversion not implemented)' });
    return;
  }
  const m0 = await mem();

  // Each timed step runs RUNS times (default 5; automerge 1, its apply alone takes tens of seconds)
  // and the best time is reported, as the Jarvis harness does: the first runs warm V8's JIT just
  // as Jarvis's warm .NET's. applyFirstMs keeps the first, cold apply.
  const runs = Math.max(1, Number(process.env.RUNS || (lib === 'automerge' ? 1 : 5)));
  result.runs = runs;
  const applyAll = () => {
    const doc = ad.create();
    if (startContent.length > 0) ad.apply(doc, 0, 0, startContent);
    const t = now();
    for (let k = 0; k < n; k++) ad.apply(doc, P[k], D[k], I[k]);
    return [doc, now() - t];
  };

  // apply: every patch as a local edit; the heap is read around the first run
  let [s, first] = applyAll();
  result.applyFirstMs = round(first);
  let bestApply = first;
  const applyText = ad.text(s);
  const applyOk = applyText === endContent;

  // memory with the document alive (the flattened trace is alive in both samples)
  const m1 = await mem();
  result.heapBytes = m1.heapUsed - m0.heapUsed;
  result.externalBytes = m1.external - m0.external;
  result.arrayBuffersBytes = m1.arrayBuffers - m0.arrayBuffers;
  result.wasmBytes = m1.wasm; // linear memory size (high-water mark) of the library's wasm instance(s)
  result.wasmBytesBefore = m0.wasm;
  result.rssBytes = m1.rss;
  for (let r = 1; r < runs; r++) {
    const [doc, ms] = applyAll();
    bestApply = Math.min(bestApply, ms);
    if (ad.free) ad.free(doc);
  }
  result.applyMs = round(bestApply);

  // encode the whole document
  let bytes = null;
  let bestEncode = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = now();
    bytes = ad.encode(s);
    bestEncode = Math.min(bestEncode, now() - t0);
  }
  result.encodeMs = round(bestEncode);
  result.bytes = bytes.byteLength;

  // load from those bytes (includes reading the text back out)
  let loadOk = true;
  let bestLoad = Infinity;
  for (let r = 0; r < runs; r++) {
    await gc();
    const t0 = now();
    const l = ad.load(bytes);
    const loadText = ad.text(l);
    bestLoad = Math.min(bestLoad, now() - t0);
    loadOk = loadOk && loadText === endContent;
    if (ad.free) ad.free(l);
  }
  result.loadMs = round(bestLoad);

  // merge the whole document into an empty doc as a remote update (input prepared untimed)
  const input = ad.prepareMerge(s, bytes);
  if (input && input.byteLength !== undefined && input !== bytes) result.mergeInputBytes = input.byteLength;
  if (Array.isArray(input)) { result.mergeInputChanges = input.length; result.mergeInputBytes = input.reduce((a, c) => a + c.byteLength, 0); }
  let mergeOk = true;
  let bestMerge = Infinity;
  for (let r = 0; r < runs; r++) {
    await gc();
    const t0 = now();
    const mg = ad.merge(input);
    const mergeText = ad.text(mg);
    bestMerge = Math.min(bestMerge, now() - t0);
    mergeOk = mergeOk && mergeText === endContent;
    if (ad.free) ad.free(mg);
  }
  result.mergeMs = round(bestMerge);

  result.textMatches = applyOk && loadOk && mergeOk;
  result.textDetail = { apply: applyOk, load: loadOk, merge: mergeOk };
  result.notes = ad.notes;
  out(result);
}

main().catch((e) => {
  out({ lib: process.argv[2], trace: path.basename(process.argv[3] || ''), error: String((e && e.stack) || e).split('\n').slice(0, 3).join(' | ') });
  process.exit(1);
});
