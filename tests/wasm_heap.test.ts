/** The WASM heap: scoped bump allocation plus early release of blocks (consumed gradients). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WasmHeap } from '../src/backend/wasm/heap.js';

const heap = () => new WasmHeap(new WebAssembly.Memory({ initial: 16, maximum: 64 }));

test('a released block is reused by the next allocation that fits; releasing the top lowers it, with free blocks below', () => {
  const h = heap();
  h.scope(() => {
    const a = h.alloc(1000),
      b = h.alloc(5000),
      c = h.alloc(1000);
    const top = h.used;
    h.release(b, 5000);
    assert.is(h.alloc(4000), b, 'best fit reuses b');
    h.release(b, 4000);
    h.release(c, 1000);
    assert.ok(h.used <= b, `top lowered past c and the free block b (used ${h.used}, b ${b}, old top ${top})`);
    assert.ok(h.used > a);
  });
});

test('blocks freed in a scope are not handed out after it ends; outer blocks are not handed out inside', () => {
  const h = heap();
  h.scope(() => {
    const outer = h.alloc(2048);
    h.alloc(16); // keep outer off the top
    h.release(outer, 2048);
    h.scope(() => {
      assert.is.not(h.alloc(2048), outer, 'an outer scope’s free block is not reused by an inner scope');
      const inner = h.alloc(4096);
      h.alloc(16);
      h.release(inner, 4096);
    });
    assert.is(h.alloc(2048), outer, 'back in the outer scope its free block is reused');
  });
  assert.is(h.used, 1024, 'everything is freed when the outermost scope ends');
});

test('releasing a block of an enclosing scope from inside does nothing', () => {
  const h = heap();
  h.scope(() => {
    const outer = h.alloc(256);
    const before = h.used;
    h.scope(() => h.release(outer, 256));
    assert.is(h.used, before);
    assert.is.not(h.alloc(256), outer);
  });
});

test.run();
