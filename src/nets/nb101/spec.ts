/**
 * NAS-Bench-101 cells: an upper-triangular 0/1 adjacency matrix over V vertices (vertex 0 the input, V-1 the
 * output) and one op per vertex. Checked and pruned as google-research/nasbench does it:
 * nasbench/lib/model_spec.py (ModelSpec.__init__'s checks, ModelSpec._prune) and nasbench/api.py
 * (NASBench._check_spec, behind is_valid): the vertex, edge and op limits apply to the PRUNED cell.
 */
import { quote } from '../../util/quote.js';

/** config['available_ops'] in nasbench's order: the index is the op's label in the graph hash. */
export const NB101_OPS = ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3'] as const;
export type Nb101Op = (typeof NB101_OPS)[number];
export type Nb101VertexOp = 'input' | 'output' | Nb101Op;
const VERTEX_OPS: readonly string[] = ['input', 'output', ...NB101_OPS];

/** config['module_vertices'] and config['max_edges']. */
export const NB101_MAX_VERTICES = 7;
export const NB101_MAX_EDGES = 9;

/** A cell as NB101 stores it: pruned (every vertex on an input→output path), upper-triangular 0/1 matrix. */
export interface Nb101Spec {
  matrix: number[][];
  ops: Nb101VertexOp[];
}

export class Nb101SpecError extends Error {
  constructor(readonly detail: string) {
    super(`invalid NB101 cell: ${detail}`);
    this.name = 'Nb101SpecError';
  }
}

function fail(detail: string): never {
  throw new Nb101SpecError(detail);
}

/** Square, 0/1 and upper-triangular (ModelSpec.__init__; the 0/1 check is ours: numpy would count a 2 as two edges). */
function checkMatrix(matrix: unknown): number[][] {
  if (!Array.isArray(matrix) || !matrix.every((row) => Array.isArray(row))) fail('matrix is not a list of rows');
  const rows = matrix as unknown[][];
  const v = rows.length;
  rows.forEach((row, i) => {
    if (row.length !== v) fail(`matrix is not square: row ${i} has ${row.length} entries, the matrix has ${v} rows`);
  });
  rows.forEach((row, i) =>
    row.forEach((x, j) => {
      if (x !== 0 && x !== 1) fail(`matrix entry [${i}][${j}] is ${JSON.stringify(x) ?? String(x)}, not 0 or 1`);
    }),
  );
  rows.forEach((row, i) =>
    row.forEach((x, j) => {
      if (x === 1 && j <= i) {
        fail(
          `matrix is not upper-triangular: entry [${i}][${j}] is 1 (` +
            (i === j ? `a self-loop on vertex ${i}` : `an edge from vertex ${i} back to vertex ${j}`) +
            `); NB101 cells are DAGs whose edges go from a lower to a higher vertex`,
        );
      }
    }),
  );
  return rows as number[][];
}

/**
 * Drops every vertex not on an input→output path, renumbering the rest in order (ModelSpec._prune): the
 * forward search from vertex 0 and the backward search from vertex V-1 must both reach it. Expects a checked
 * square upper-triangular matrix with one op per vertex; throws when the input does not reach the output.
 * `kept` lists the surviving vertices' original indices.
 */
export function pruneSpec<Op>(
  matrix: readonly (readonly number[])[],
  ops: readonly Op[],
): { matrix: number[][]; ops: Op[]; kept: number[] } {
  const v = matrix.length;
  const fromInput = new Set<number>(v > 0 ? [0] : []);
  for (const frontier = [...fromInput]; frontier.length > 0;) {
    const top = frontier.pop()!;
    for (let w = top + 1; w < v; w++) {
      if (matrix[top]![w] && !fromInput.has(w)) {
        fromInput.add(w);
        frontier.push(w);
      }
    }
  }
  const toOutput = new Set<number>(v > 0 ? [v - 1] : []);
  for (const frontier = [...toOutput]; frontier.length > 0;) {
    const top = frontier.pop()!;
    for (let w = 0; w < top; w++) {
      if (matrix[w]![top] && !toOutput.has(w)) {
        toOutput.add(w);
        frontier.push(w);
      }
    }
  }
  const kept = [...Array(v).keys()].filter((i) => fromInput.has(i) && toOutput.has(i));
  // Fewer than 2 survivors (nasbench: len(extraneous) > num_vertices - 2) means no input→output path.
  if (kept.length < 2) fail(`no input→output path: the input (vertex 0) does not reach the output (vertex ${v - 1})`);
  return { matrix: kept.map((i) => kept.map((j) => matrix[i]![j]!)), ops: kept.map((i) => ops[i]!), kept };
}

/**
 * The pruned, checked cell of `matrix` and `ops`, or an Nb101SpecError naming the first problem. Checks as
 * nasbench does: square, upper-triangular, one op per vertex; prune; then on the pruned cell at most 7
 * vertices, at most 9 edges, first op input, last op output, NB101 ops between. Stricter than nasbench: entries
 * must be 0/1, and an op name that is none of the five is refused even on a vertex pruning drops (a typo).
 */
export function createNb101Spec(matrix: unknown, ops: unknown): Nb101Spec {
  const m = checkMatrix(matrix);
  if (!Array.isArray(ops)) fail(`ops is not a list (got ${ops === null ? 'null' : typeof ops})`);
  if (ops.length !== m.length) fail(`${ops.length} ops for a ${m.length}x${m.length} matrix: one op per vertex`);
  ops.forEach((op: unknown, i) => {
    if (typeof op !== 'string' || !VERTEX_OPS.includes(op)) {
      fail(
        `unknown op ${typeof op === 'string' ? quote(op) : String(JSON.stringify(op))} at vertex ${i} (known: ${VERTEX_OPS.join(', ')})`,
      );
    }
  });
  if (m.length < 2) fail(`${m.length} vertices: a cell has at least the input and the output`);
  const pruned = pruneSpec(m, ops as Nb101VertexOp[]);
  const vertices = pruned.ops.length;
  if (vertices > NB101_MAX_VERTICES) fail(`${vertices} vertices after pruning, more than NB101's ${NB101_MAX_VERTICES}`);
  const edges = pruned.matrix.reduce((s, row) => s + row.reduce((t, x) => t + x, 0), 0);
  if (edges > NB101_MAX_EDGES) fail(`${edges} edges after pruning, more than NB101's ${NB101_MAX_EDGES}`);
  if (pruned.ops[0] !== 'input') fail(`the first op is ${quote(pruned.ops[0]!)}, not "input"`);
  if (pruned.ops[vertices - 1] !== 'output') fail(`the last op is ${quote(pruned.ops[vertices - 1]!)}, not "output"`);
  for (let k = 1; k < vertices - 1; k++) {
    const op = pruned.ops[k]!;
    if (op === 'input' || op === 'output') {
      fail(`op ${quote(op)} at inner vertex ${pruned.kept[k]} (inner vertices take one of ${NB101_OPS.join(', ')})`);
    }
  }
  return { matrix: pruned.matrix, ops: pruned.ops };
}

/**
 * Parses a cell given as JSON text or an already-parsed object `{"matrix": [[...]], "ops": ["input", ..., "output"]}`
 * and returns it pruned and checked.
 */
export function parseNb101Spec(input: string | unknown): Nb101Spec {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      fail(`not JSON (${(e as Error).message}): ${quote(input)}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(
      `expected an object {"matrix": [[...]], "ops": [...]}, got ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}`,
    );
  }
  const fields = value as Record<string, unknown>;
  for (const k of Object.keys(fields)) {
    if (k !== 'matrix' && k !== 'ops') fail(`unexpected key ${quote(k)} (a cell is {"matrix": [[...]], "ops": [...]})`);
  }
  if (!('matrix' in fields)) fail('no "matrix" key');
  if (!('ops' in fields)) fail('no "ops" key');
  return createNb101Spec(fields['matrix'], fields['ops']);
}

/** Hash labels as nasbench's graph generator uses them: -1 input, -2 output, else the index in NB101_OPS. */
export function nb101Labels(spec: Nb101Spec): number[] {
  return spec.ops.map((op) => (op === 'input' ? -1 : op === 'output' ? -2 : NB101_OPS.indexOf(op)));
}

/** The cell of an adjacency matrix and hash labels (-1 input, -2 output, 0/1/2 an NB101_OPS index), pruned and checked. */
export function specFromLabels(adjacency: unknown, labels: unknown): Nb101Spec {
  if (!Array.isArray(labels)) fail(`labels is not a list (got ${labels === null ? 'null' : typeof labels})`);
  const ops = labels.map((l: unknown, i): Nb101VertexOp => {
    if (l === -1) return 'input';
    if (l === -2) return 'output';
    const op = typeof l === 'number' && Number.isInteger(l) ? NB101_OPS[l] : undefined;
    if (op === undefined) {
      fail(
        `unknown label ${JSON.stringify(l) ?? String(l)} at vertex ${i} (known: -1 input, -2 output, ${NB101_OPS.map((o, k) => `${k} ${o}`).join(', ')})`,
      );
    }
    return op;
  });
  return createNb101Spec(adjacency, ops);
}

/** The cell as one canonical JSON line for results files: `{"matrix":[[...]],"ops":[...]}`, no spaces. */
export function specToJson(spec: Nb101Spec): string {
  return JSON.stringify({ matrix: spec.matrix, ops: spec.ops });
}
