/** Error messages quote at most ~200 characters of an input (src/util/quote.ts), wherever the input comes from. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArch } from '../src/nets/nb201/arch.js';
import { QUOTE_MAX, quote } from '../src/util/quote.js';

const HUGE = '|nor_conv_3x3~0|'.repeat(700); // ~11 kB, one long node group

test('a short input is quoted whole; a long one is cut with its length said', () => {
  assert.is(quote('a"b'), '"a\\"b"');
  const q = quote('x'.repeat(10_000));
  assert.is(q, `${JSON.stringify('x'.repeat(QUOTE_MAX))}… (10000 characters)`);
});

test('an arch-string error on a 10 kB string does not echo it', () => {
  for (const arch of [HUGE, HUGE + '+||+||', `|${'a'.repeat(10_000)}~0|+|none~0|none~1|+|none~0|none~1|none~2|`]) {
    try {
      parseArch(arch);
      assert.unreachable();
    } catch (e) {
      const m = (e as Error).message;
      assert.ok(m.length < 4 * QUOTE_MAX, `${m.length} characters: ${m.slice(0, 300)}`);
      assert.ok(m.includes(`(${arch.length} characters)`), m.slice(0, 300));
    }
  }
});

test.run();
