/**
 * The subset of Python literal syntax that DARTS genotypes are printed in: integers, quoted strings, lists,
 * tuples and calls with positional and keyword arguments (`Genotype(normal=[('sep_conv_3x3', 0), ...], ...)`,
 * `range(2, 6)`). Genotypes are copied out of Python logs and source files, so this reads what Python prints
 * (either quote, optional trailing commas, any whitespace, `#` comments to the end of the line) and nothing
 * else. Every node carries its offset in the text, so errors can point at the place.
 */
import { quote } from '../../util/quote.js';

export type PyValue =
  | { kind: 'int'; value: number; at: number }
  | { kind: 'str'; value: string; at: number }
  | { kind: 'list' | 'tuple'; items: PyValue[]; at: number }
  | { kind: 'call'; name: string; args: PyValue[]; kwargs: { name: string; value: PyValue; at: number }[]; at: number };

export class PyLiteralError extends Error {
  constructor(
    readonly detail: string,
    readonly at: number,
  ) {
    super(detail);
    this.name = 'PyLiteralError';
  }
}

/** What a value is, for messages: `a list`, `the string "x"`, `the integer 3`, `a call of range`. */
export function describePy(v: PyValue): string {
  switch (v.kind) {
    case 'int':
      return `the integer ${v.value}`;
    case 'str':
      return `the string ${quote(v.value, 40)}`;
    case 'list':
      return `a list of ${v.items.length}`;
    case 'tuple':
      return `a tuple of ${v.items.length}`;
    case 'call':
      return `a call of ${v.name}(...)`;
  }
}

class Reader {
  i = 0;
  constructor(readonly text: string) {}

  fail(detail: string, at = this.i): never {
    const near = at >= this.text.length ? 'at the end of the text' : `at character ${at + 1} (${quote(this.text.slice(at, at + 20))})`;
    throw new PyLiteralError(`${detail} ${near}`, at);
  }

  skipSpace(): void {
    for (;;) {
      while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
      if (this.text[this.i] !== '#') return;
      while (this.i < this.text.length && this.text[this.i] !== '\n') this.i++;
    }
  }

  peek(): string | undefined {
    this.skipSpace();
    return this.text[this.i];
  }

  expect(ch: string, what: string): void {
    if (this.peek() !== ch) this.fail(`expected ${what}`);
    this.i++;
  }

  value(): PyValue {
    const c = this.peek();
    const at = this.i;
    if (c === undefined) this.fail('expected a value');
    if (c === '[' || c === '(') {
      this.i++;
      const close = c === '[' ? ']' : ')';
      const items: PyValue[] = [];
      let trailingComma = false;
      while (this.peek() !== close) {
        if (this.peek() === undefined) this.fail(`unclosed "${c}" (opened at character ${at + 1})`);
        items.push(this.value());
        trailingComma = false;
        if (this.peek() === undefined) this.fail(`unclosed "${c}" (opened at character ${at + 1})`);
        if (this.peek() === ',') {
          this.i++;
          trailingComma = true;
        } else if (this.peek() !== close) {
          this.fail(`expected "," or "${close}"`);
        }
      }
      this.i++;
      // (x) is x in Python; (x,) is a one-tuple.
      if (c === '(' && items.length === 1 && !trailingComma) return items[0]!;
      return { kind: c === '[' ? 'list' : 'tuple', items, at };
    }
    if (c === "'" || c === '"') {
      const end = this.text.indexOf(c, this.i + 1);
      const nl = this.text.indexOf('\n', this.i + 1);
      if (end < 0 || (nl >= 0 && nl < end)) this.fail('unterminated string');
      const value = this.text.slice(this.i + 1, end);
      if (value.includes('\\')) this.fail('backslash escapes are not supported in a string');
      this.i = end + 1;
      return { kind: 'str', value, at };
    }
    const num = /^[+-]?\d+/.exec(this.text.slice(this.i));
    if (num) {
      this.i += num[0].length;
      if (/^[\w.]/.test(this.text[this.i] ?? '')) this.fail('expected an integer');
      return { kind: 'int', value: Number(num[0]), at };
    }
    const name = /^[A-Za-z_][\w.]*/.exec(this.text.slice(this.i));
    if (name) {
      this.i += name[0].length;
      if (this.peek() !== '(') this.fail(`expected "(" after the name ${quote(name[0])} (only calls are names here)`);
      this.i++;
      const args: PyValue[] = [];
      const kwargs: { name: string; value: PyValue; at: number }[] = [];
      while (this.peek() !== ')') {
        if (this.peek() === undefined) this.fail(`unclosed "(" of ${name[0]}(...) (opened at character ${at + 1})`);
        const kwAt = this.i;
        const kw = /^([A-Za-z_]\w*)\s*=(?!=)/.exec(this.text.slice(this.i));
        if (kw) {
          this.i += kw[0].length;
          kwargs.push({ name: kw[1]!, value: this.value(), at: kwAt });
        } else {
          if (kwargs.length > 0) this.fail('a positional argument after a keyword argument');
          args.push(this.value());
        }
        if (this.peek() === undefined) this.fail(`unclosed "(" of ${name[0]}(...) (opened at character ${at + 1})`);
        if (this.peek() === ',') this.i++;
        else if (this.peek() !== ')') this.fail('expected "," or ")"');
      }
      this.i++;
      return { kind: 'call', name: name[0], args, kwargs, at };
    }
    return this.fail('expected a list, tuple, string, integer or call');
  }
}

/** Parses one Python literal filling the whole text (surrounding whitespace allowed). */
export function parsePyLiteral(text: string): PyValue {
  const r = new Reader(text);
  const v = r.value();
  if (r.peek() !== undefined) r.fail('unexpected text after the value');
  return v;
}
