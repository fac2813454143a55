/**
 * NAS-Bench-101's channel rules: how wide every vertex of a cell is, which cells the network has, and the
 * parameter count that follows, without building anything. The network (network.ts) and the FLOPs count
 * (flops.ts) take their widths from here, so all three agree.
 */
import type { Nb101Spec } from './spec.js';

/**
 * The channels of every vertex of a cell with `cIn` input and `cOut` output channels, as google-research/nasbench's
 * nasbench/lib/model_builder.py compute_vertex_channels (and fixtures/pytorch/nb101_model.py vertex_channels):
 *   - ch[0] = cIn, ch[V-1] = cOut;
 *   - the interior vertices that feed the output share cOut: cOut // k each (k of them), the first cOut % k of
 *     them IN VERTEX ORDER one more — so two numberings of one cell (one hash) can differ in size;
 *   - every other interior vertex, going backwards from V-3, gets the widest of the interior vertices it feeds.
 * Along an interior edge the width drops by at most one (the destination then reads the source's first channels).
 * Expects a pruned cell (every vertex on an input→output path).
 */
export function nb101VertexChannels(cIn: number, cOut: number, matrix: readonly (readonly number[])[]): number[] {
  const V = matrix.length;
  const ch = new Array<number>(V).fill(0);
  ch[0] = cIn;
  ch[V - 1] = cOut;
  if (V === 2) return ch;
  const feeders: number[] = [];
  for (let v = 1; v < V - 1; v++) if (matrix[v]![V - 1]) feeders.push(v);
  if (feeders.length === 0) throw new Error('nb101VertexChannels: no interior vertex feeds the output (is the cell pruned?)');
  const base = Math.floor(cOut / feeders.length);
  const extra = cOut % feeders.length;
  feeders.forEach((v, i) => (ch[v] = base + (i < extra ? 1 : 0)));
  for (let v = V - 3; v > 0; v--) {
    if (matrix[v]![V - 1]) continue;
    for (let d = v + 1; d < V - 1; d++) if (matrix[v]![d]) ch[v] = Math.max(ch[v]!, ch[d]!);
  }
  for (let v = 1; v < V - 1; v++) {
    if (!(ch[v]! > 0)) {
      throw new Error(
        `nb101VertexChannels: vertex ${v} gets 0 channels: ${cOut} output channels for ${feeders.length} vertices feeding the output (or the cell is not pruned)`,
      );
    }
  }
  return ch;
}

/** One cell of the network: where it is, its input and output widths, and its vertices' widths. */
export interface Nb101CellPlan {
  stack: number;
  cell: number;
  cIn: number;
  cOut: number;
  /** nb101VertexChannels(cIn, cOut, matrix). */
  channels: number[];
  /** Interior edges [u, v] whose source is wider than the destination: v reads u's first ch[v] channels. */
  truncated: [number, number][];
}

export interface Nb101Shape {
  /** Stem width (128 in NB101). */
  stemChannels: number;
  stacks: number;
  cellsPerStack: number;
}

/**
 * The cells in network order: stack s > 0 starts with a 2×2 max-pool and its first cell doubles the width, so
 * the widths are (C→C)×3, (C→2C), (2C→2C)×2, (2C→4C), (4C→4C)×2 for NB101's 3 stacks of 3 cells.
 */
export function nb101CellPlans(matrix: readonly (readonly number[])[], s: Nb101Shape): Nb101CellPlan[] {
  const plans: Nb101CellPlan[] = [];
  let cIn = s.stemChannels,
    cOut = s.stemChannels;
  const V = matrix.length;
  for (let stack = 0; stack < s.stacks; stack++) {
    if (stack > 0) cOut *= 2;
    for (let cell = 0; cell < s.cellsPerStack; cell++) {
      const channels = nb101VertexChannels(cIn, cOut, matrix);
      const truncated: [number, number][] = [];
      for (let v = 1; v < V - 1; v++) for (let u = 1; u < v; u++) if (matrix[u]![v] && channels[u]! > channels[v]!) truncated.push([u, v]);
      plans.push({ stack, cell, cIn, cOut, channels, truncated });
      cIn = cOut;
    }
  }
  return plans;
}

/** The width of the last cell, the classifier's input: stemChannels · 2^(stacks−1). */
export function nb101OutputChannels(s: Nb101Shape): number {
  return s.stemChannels * 2 ** (s.stacks - 1);
}

/** Kernel size of a vertex op's convolution, 0 for the max-pool (no parameters). */
export function nb101KernelSize(op: string): number {
  return op === 'conv3x3-bn-relu' ? 3 : op === 'conv1x1-bn-relu' ? 1 : 0;
}

/**
 * The parameter count from the channel rules alone (conv weights, BN γ and β, classifier weight and bias), as
 * NB101's trainable_params counts it and nb101_model.count_params computes it: what Nb101Network's
 * parameters.parameterCount() gives with BN, without allocating anything.
 */
export function nb101ParameterCount(spec: Nb101Spec, s: Nb101Shape & { numClasses: number }): number {
  const { matrix, ops } = spec;
  const V = matrix.length;
  let n = 27 * s.stemChannels + 2 * s.stemChannels;
  for (const { cIn, channels } of nb101CellPlans(matrix, s)) {
    for (let v = 1; v < V; v++) if (matrix[0]![v]) n += cIn * channels[v]! + 2 * channels[v]!;
    for (let v = 1; v < V - 1; v++) {
      const k = nb101KernelSize(ops[v]!);
      if (k > 0) n += k * k * channels[v]! * channels[v]! + 2 * channels[v]!;
    }
  }
  const c = nb101OutputChannels(s);
  return n + c * s.numClasses + s.numClasses;
}
