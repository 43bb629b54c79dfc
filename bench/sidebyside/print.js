#!/usr/bin/env node
// Print the JSON lines written by run.sh as one aligned table per trace.
//   node print.js [--json] [FILE...]      (no FILE: read stdin)
// --json prints the raw lines back unchanged (after checking they parse).
'use strict';

const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const files = args.filter((a) => a !== '--json');
const text = files.length ? files.map((f) => fs.readFileSync(f, 'utf8')).join('\n') : fs.readFileSync(0, 'utf8');
const rows = [];
for (const line of text.split('\n')) {
  const t = line.trim();
  if (!t.startsWith('{')) continue;
  try { rows.push(JSON.parse(t)); } catch { /* not ours */ }
}
if (asJson) {
  for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
  process.exit(0);
}

const ORDER = ['yjs', 'loro', 'dt', 'automerge', 'jarvis'];
const LABEL = { yjs: 'yjs', loro: 'loro-crdt', dt: 'diamond-types-node', automerge: '@automerge/automerge', jarvis: 'jarvis' };

const num = (x) => typeof x === 'number' && Number.isFinite(x);
const ms = (x) => (num(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) : '');
const int = (x) => (num(x) ? Math.round(x).toLocaleString('en-US') : '');
function size(x) {
  if (!num(x)) return '';
  const a = Math.abs(x), sign = x < 0 ? '-' : '';
  if (a >= 1 << 20) return sign + (a / (1 << 20)).toFixed(1) + ' MiB';
  if (a >= 1 << 10) return sign + (a / (1 << 10)).toFixed(0) + ' KiB';
  return sign + a + ' B';
}
const ratio = (a, b) => (num(a) && num(b) && b > 0 ? (a / b).toFixed(2) + 'x' : 'n/a');

const byTrace = new Map();
for (const r of rows) {
  // Jarvis names a trace without its extensions, the JS runner with them: group on the bare name.
  const t = path.basename(String(r.trace || '?')).replace(/\.json(\.gz)?$/, '');
  if (!byTrace.has(t)) byTrace.set(t, []);
  byTrace.get(t).push(r);
}

const HEAD = ['library', 'version', 'apply ms', '1st apply', 'encode ms', 'bytes', 'load ms', 'merge ms', 'heap', 'wasm mem', 'text ok', 'apply vs jarvis', 'bytes vs jarvis'];
const RIGHT = new Set([2, 3, 4, 5, 6, 7, 8, 9, 11, 12]);

let first = true;
for (const [trace, rs] of byTrace) {
  rs.sort((a, b) => (ORDER.indexOf(a.lib) + 99 * (ORDER.indexOf(a.lib) < 0)) - (ORDER.indexOf(b.lib) + 99 * (ORDER.indexOf(b.lib) < 0)));
  const jarvis = rs.find((r) => r.lib === 'jarvis' && !r.error && num(r.applyMs));
  const patches = rs.map((r) => r.patches).find(num);
  const table = [HEAD];
  const notes = [];
  for (const r of rs) {
    const label = LABEL[r.lib] || String(r.lib);
    if (r.error) {
      table.push([label, r.version || '', 'failed', '', '', '', '', '', '', '', '', '', '']);
      notes.push(`${label}: ${r.error}`);
      continue;
    }
    if (r.skipped) {
      table.push([label, r.version || '', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
      notes.push(`${label}: ${r.skipped}`);
      continue;
    }
    let ok = r.textMatches === true ? 'yes' : r.textMatches === false ? 'NO' : '?';
    if (r.textMatches === false && r.textDetail) {
      ok = 'NO(' + Object.entries(r.textDetail).filter(([, v]) => !v).map(([k]) => k).join(',') + ')';
    }
    if (r.lib === 'jarvis' && 'replicasAgree' in r) ok += r.replicasAgree ? ', agree' : ', DISAGREE';
    const wasm = num(r.wasmBytes) && r.wasmBytes > 0 ? size(r.wasmBytes - (r.wasmBytesBefore || 0)) : r.lib === 'jarvis' ? '' : '-';
    table.push([
      label, r.version || '', ms(r.applyMs), ms(r.applyFirstMs), ms(r.encodeMs), int(r.bytes), ms(r.loadMs), ms(r.mergeMs),
      size(r.heapBytes), wasm, ok,
      r.lib === 'jarvis' ? (jarvis ? '1.00x' : 'n/a') : ratio(r.applyMs, jarvis && jarvis.applyMs),
      r.lib === 'jarvis' ? (jarvis ? '1.00x' : 'n/a') : ratio(r.bytes, jarvis && jarvis.bytes),
    ]);
  }
  const w = HEAD.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
  const fmt = (row) => row.map((c, i) => (RIGHT.has(i) ? String(c).padStart(w[i]) : String(c).padEnd(w[i]))).join('  ').trimEnd();
  if (!first) process.stdout.write('\n');
  first = false;
  process.stdout.write(`trace: ${trace}${num(patches) ? `  (${patches.toLocaleString('en-US')} patches)` : ''}\n`);
  process.stdout.write(fmt(table[0]) + '\n');
  process.stdout.write(w.map((n) => '-'.repeat(n)).join('  ') + '\n');
  for (const row of table.slice(1)) process.stdout.write(fmt(row) + '\n');
  process.stdout.write(
    'notes: heap = V8 heapUsed after gc with the doc alive minus the same before the doc existed (JS libs; for\n' +
    '       jarvis, as its own command reports it); wasm mem = growth of the wasm linear memory (high-water mark,\n' +
    '       never shrinks; loro/dt/automerge keep their documents there, not in the V8 heap); ratios = lib / jarvis,\n' +
    '       >1 means jarvis is faster / smaller; text ok = final text == endContent after apply, load and merge;\n' +
    '       times are the best of RUNS runs (default 5; automerge 1) in one process, 1st apply the first, cold one.\n');
  // Same message for several libraries (e.g. a concurrent trace): print it once.
  const grouped = new Map();
  for (const n of notes) {
    const i = n.indexOf(': ');
    const [who, msg] = [n.slice(0, i), n.slice(i + 2)];
    grouped.set(msg, [...(grouped.get(msg) || []), who]);
  }
  for (const [msg, who] of grouped) process.stdout.write(`       ${who.join(', ')}: ${msg}\n`);
}
if (rows.length === 0) process.stdout.write('no results\n');
