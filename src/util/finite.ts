/**
 * Input arrays must be finite: a NaN weight or pixel has no sign, so the sign-based proxies would count it as
 * 0 and return a plausible number (a NaN classifier gave GradSign 0, like a dead network).
 */

/** Index of the first NaN or ±Inf in data, or −1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

/**
 * Why `data` (tensor `name`, row-major `shape`) may not be used, naming its first non-finite value and where
 * it is; undefined when every value is finite.
 */
export function nonFiniteProblem(name: string, data: ArrayLike<number>, shape: readonly number[]): string | undefined {
  const i = firstNonFinite(data);
  if (i < 0) return undefined;
  const position: number[] = [];
  let rest = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    position.unshift(rest % shape[d]!);
    rest = Math.floor(rest / shape[d]!);
  }
  const at = shape.length > 1 ? ` (position [${position.join(',')}])` : '';
  return `tensor "${name}" has a non-finite value ${data[i]} at index ${i}${at}; weights and images must be finite`;
}
