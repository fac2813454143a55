/**
 * The NAS-Bench-101 graph hash: the key of every NB101 record, equal for isomorphic cells. A port of
 * google-research/nasbench's nasbench/lib/graph_util.py hash_module, byte for byte in what it feeds MD5
 * (Python's str() of a tuple and of a list of strings), so the digests are NB101's own.
 */
import { md5Hex } from '../../util/md5.js';
import { nb101Labels, type Nb101Spec } from './spec.js';

/**
 * hash_module(matrix, labeling): each vertex starts as md5 of "(out-degree, in-degree, label)"; V rounds
 * replace it by md5(sorted in-neighbour hashes | sorted out-neighbour hashes | own hash); the fingerprint is
 * md5 of the sorted vertex hashes as Python prints a list.
 */
export function hashModule(matrix: readonly (readonly number[])[], labeling: readonly number[]): string {
  const v = matrix.length;
  if (labeling.length !== v) throw new RangeError(`hashModule: ${labeling.length} labels for ${v} vertices`);
  const inDegree = (j: number) => matrix.reduce((s, row) => s + row[j]!, 0);
  const outDegree = (i: number) => matrix[i]!.reduce((s, x) => s + x, 0);
  let hashes = labeling.map((label, i) => md5Hex(`(${outDegree(i)}, ${inDegree(i)}, ${label})`));
  for (let round = 0; round < v; round++) {
    hashes = hashes.map((own, i) => {
      const ins: string[] = [];
      const outs: string[] = [];
      for (let w = 0; w < v; w++) {
        if (matrix[w]![i]) ins.push(hashes[w]!);
        if (matrix[i]![w]) outs.push(hashes[w]!);
      }
      return md5Hex(`${ins.sort().join('')}|${outs.sort().join('')}|${own}`);
    });
  }
  return md5Hex(
    `[${[...hashes]
      .sort()
      .map((h) => `'${h}'`)
      .join(', ')}]`,
  );
}

/** The NB101 hash of a (pruned) cell, as ModelSpec.hash_spec computes it: the key to look it up in NB101 tables. */
export function nb101Hash(spec: Nb101Spec): string {
  return hashModule(spec.matrix, nb101Labels(spec));
}
