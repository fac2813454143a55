/**
 * An append-only JSON-lines results file that survives kill -9: each result is one write of one full line,
 * and on reopening a torn last line (no newline, or not JSON) is cut off and redone. A corrupt line in the
 * middle is an error that names its line number, never silently skipped.
 */
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';

export interface ResultsFile<T> {
  /** Results already in the file. */
  existing: T[];
  /** Lines cut off because they were torn (0 or 1). */
  repaired: number;
  append(result: T): void;
  close(): void;
}

/**
 * Opens the file for appending. `readOnly`: only read what it holds — a torn last line is skipped, not cut
 * off, and nothing is written (safe while another process is still appending to it).
 */
export function openResults<T>(path: string, options: { readOnly?: boolean } = {}): ResultsFile<T> {
  const existing: T[] = [];
  let repaired = 0;
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    let good = 0; // byte length of the complete, parsed prefix
    const lines = text.split('\n');
    let offset = 0;
    lines.forEach((line, i) => {
      const last = i === lines.length - 1;
      const length = Buffer.byteLength(line, 'utf8') + (last ? 0 : 1);
      if (line.trim() === '') {
        if (!last) good = offset + length;
        offset += length;
        return;
      }
      try {
        if (last) throw new Error('no newline'); // written partially: redo it
        existing.push(JSON.parse(line) as T);
        good = offset + length;
      } catch (e) {
        const isTail = last || lines.slice(i + 1).every((l) => l.trim() === '');
        if (!isTail) throw new Error(`${path}:${i + 1}: not a results line (${(e as Error).message}); fix or remove the file`);
        repaired = 1;
      }
      offset += length;
    });
    if (good < Buffer.byteLength(text, 'utf8') && !options.readOnly) truncateSync(path, good);
  }
  if (options.readOnly) {
    return {
      existing, repaired,
      append: () => { throw new Error(`${path} was opened read-only`); },
      close: () => {},
    };
  }
  const fd = openSync(path, 'a');
  return {
    existing,
    repaired,
    append(result: T) {
      writeSync(fd, JSON.stringify(result) + '\n');
    },
    close() {
      closeSync(fd);
    },
  };
}
