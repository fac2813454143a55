#!/usr/bin/env node
// Compiles the AssemblyScript kernels (assembly/, options in asconfig.json) and embeds the module as base64 in
// src/backend/wasm/kernels_wasm.ts, so Node, Deno, bundlers and browsers load the same bytes the same way.
// Also writes src/backend/wasm/kernel_list.ts, the one list of kernels: every export of assembly/index.ts with
// its typed signature (KernelExports), and the worker list, so a kernel the code calls but the module lacks,
// or a worker list that misses a kernel, cannot get past tsc.
//
//   node scripts/build-wasm.mjs           rebuild and rewrite both generated files
//   node scripts/build-wasm.mjs --check   rebuild in memory; exit 1 if either generated file is stale
//   node scripts/build-wasm.mjs --wat F   also write the text format to F (for inspection)
//
// The module must stay instantiable many times over one shared memory: it imports env.memory (shared), and
// must have no data segments, no globals, no start function and no other imports; the build checks that.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'src', 'backend', 'wasm', 'kernels_wasm.ts');
const listTarget = join(root, 'src', 'backend', 'wasm', 'kernel_list.ts');
const args = process.argv.slice(2);
const check = args.includes('--check');
const watAt = args.indexOf('--wat');
const watFile = watAt >= 0 ? args[watAt + 1] : undefined;

async function compile() {
  const outputs = new Map();
  let diagnostics = '';
  const sink = {
    write(s) {
      diagnostics += s;
      return true;
    },
  };
  // --bindings only adds kernels.d.ts (the exports' parameter names and AssemblyScript types): same bytes
  const argv = [
    '--config',
    join(root, 'asconfig.json'),
    '--target',
    'release',
    '--noColors',
    '--outFile',
    'kernels.wasm',
    '--bindings',
    'raw',
  ];
  if (watFile) argv.push('--textFile', 'kernels.wat');
  const { error } = await asc.main(argv, {
    stdout: sink,
    stderr: sink,
    // keep the outputs in memory: nothing is written next to the sources
    writeFile(name, contents) {
      outputs.set(name.replace(/^.*[\\/]/, ''), contents);
    },
  });
  if (error) throw new Error(`asc failed: ${error.message}\n${diagnostics}`);
  if (/ERROR|WARNING/.test(diagnostics)) process.stderr.write(diagnostics);
  const wasm = outputs.get('kernels.wasm');
  if (!(wasm instanceof Uint8Array)) throw new Error('asc produced no kernels.wasm');
  if (watFile) writeFileSync(watFile, outputs.get('kernels.wat'));
  const declarations = outputs.get('kernels.d.ts');
  if (typeof declarations !== 'string') throw new Error('asc produced no kernels.d.ts');
  return { bytes: Buffer.from(wasm), declarations };
}

/** Structural checks: exactly one import (shared env.memory), no data segments, no globals, no start. */
function validate(bytes) {
  const mod = new WebAssembly.Module(bytes);
  const imports = WebAssembly.Module.imports(mod);
  if (imports.length !== 1 || imports[0].module !== 'env' || imports[0].name !== 'memory' || imports[0].kind !== 'memory') {
    throw new Error(`kernels.wasm must import only env.memory, has ${JSON.stringify(imports)}`);
  }
  // walk the section headers: ids 6 (global), 8 (start), 11 (data), 12 (data count) must be absent
  let p = 8;
  const leb = () => {
    let r = 0,
      s = 0,
      b;
    do {
      b = bytes[p++];
      r |= (b & 0x7f) << s;
      s += 7;
    } while (b & 0x80);
    return r >>> 0;
  };
  while (p < bytes.length) {
    const id = bytes[p++],
      size = leb();
    if (id === 6 || id === 8 || id === 11 || id === 12) throw new Error(`kernels.wasm has a forbidden section (id ${id})`);
    p += size;
  }
  return WebAssembly.Module.exports(mod).map((e) => e.name);
}

/** The exports in module order, from asc's declarations: name, source file, parameters, result. */
function signatures(declarations, exportNames) {
  const out = [];
  for (const m of declarations.matchAll(/\/\*\*([^]*?)\*\/\s*export function (\w+)\(/g)) {
    const [, doc, name] = m;
    const file = /^\s*\*\s*(assembly\/\S+)\/\w+\s*$/m.exec(doc)?.[1];
    const params = [...doc.matchAll(/@param (\w+) `(\w+)`/g)].map(([, p, type]) => `${p}: ${tsType(name, type)}`);
    const ret = /@returns `(\w+)`/.exec(doc)?.[1];
    out.push({ name, file: `${file}.ts`, params, result: ret === undefined ? 'void' : tsType(name, ret) });
  }
  const names = out.map((k) => k.name);
  if (names.join() !== exportNames.join()) throw new Error(`asc declarations (${names}) differ from the module's exports (${exportNames})`);
  return out;
}

/** The ABI passes numbers only: pointers (usize) are byte offsets into the shared memory. */
function tsType(kernel, type) {
  if (type === 'usize') return 'P';
  if (type === 'i32' || type === 'f32' || type === 'f64') return 'number';
  throw new Error(`${kernel}: type ${type} is not part of the kernel ABI (usize, i32, f32, f64)`);
}

function renderList(kernels) {
  const quoted = (ks) => ks.map((k) => `  '${k.name}',`).join('\n');
  return (
    '// generated by scripts/build-wasm.mjs from the exports of assembly/index.ts — do not edit\n' +
    'type P = number; // a byte offset into the shared memory (usize)\n\n' +
    '/** The kernel ABI: every export of the module, in its order. Pointers address f32 arrays unless noted there. */\n' +
    'export interface KernelExports {\n' +
    kernels.map((k) => `  ${k.name}(${k.params.join(', ')}): ${k.result}; // ${k.file}`).join('\n') +
    '\n}\n\n' +
    '/** Every export, in module order. */\n' +
    `export const KERNEL_EXPORTS = [\n${quoted(kernels)}\n] as const satisfies readonly (keyof KernelExports)[];\n\n` +
    '/** The kernels a worker can run (every export returning nothing), by index in the control block. */\n' +
    `export const WORKER_KERNELS = [\n${quoted(kernels.filter((k) => k.result === 'void'))}\n] as const satisfies readonly (keyof KernelExports)[];\n\n` +
    'export type KernelName = (typeof WORKER_KERNELS)[number];\n'
  );
}

function render(bytes) {
  const sha = createHash('sha256').update(bytes).digest('hex');
  return (
    '// generated by scripts/build-wasm.mjs from assembly/ — do not edit\n' +
    `export const KERNELS_WASM_BASE64 = '${bytes.toString('base64')}';\n` +
    `export const KERNELS_WASM_SHA256 = '${sha}';\n`
  );
}

const { bytes, declarations } = await compile();
const exports = validate(bytes);
const files = [
  [target, render(bytes)],
  [listTarget, renderList(signatures(declarations, exports))],
];
let stale = false;
for (const [file, text] of files) {
  const rel = relative(root, file);
  if (check) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (current !== text) {
      console.error(`${rel} is stale: run node scripts/build-wasm.mjs`);
      stale = true;
    } else console.log(`${rel} is up to date (${bytes.length} bytes, ${exports.length} exports)`);
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${rel}: ${bytes.length} bytes, ${exports.length} exports`);
  }
}
if (stale) process.exit(1);
