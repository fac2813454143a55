/**
 * Plain-loop GEMMs over typed arrays, C += op(A)·op(B), row-major with explicit offsets. Loop orders keep
 * the innermost loop contiguous; the `nt` form accumulates each dot product in a JS double.
 */
import type { HostArray } from '../tensor.js';

/** C[M,N] += A[M,K] · B[K,N] */
export function gemmNN(
  M: number,
  N: number,
  K: number,
  A: HostArray,
  aOff: number,
  B: HostArray,
  bOff: number,
  C: HostArray,
  cOff: number,
): void {
  for (let i = 0; i < M; i++) {
    const ci = cOff + i * N;
    const ai = aOff + i * K;
    for (let k = 0; k < K; k++) {
      const a = A[ai + k]!;
      if (a === 0) continue;
      const bk = bOff + k * N;
      for (let j = 0; j < N; j++) C[ci + j]! += a * B[bk + j]!;
    }
  }
}

/** C[M,N] += Aᵀ · B with A stored [K,M] and B [K,N] */
export function gemmTN(
  M: number,
  N: number,
  K: number,
  A: HostArray,
  aOff: number,
  B: HostArray,
  bOff: number,
  C: HostArray,
  cOff: number,
): void {
  for (let k = 0; k < K; k++) {
    const ak = aOff + k * M;
    const bk = bOff + k * N;
    for (let i = 0; i < M; i++) {
      const a = A[ak + i]!;
      if (a === 0) continue;
      const ci = cOff + i * N;
      for (let j = 0; j < N; j++) C[ci + j]! += a * B[bk + j]!;
    }
  }
}

/** C[M,N] += A · Bᵀ with A stored [M,K] and B [N,K] */
export function gemmNT(
  M: number,
  N: number,
  K: number,
  A: HostArray,
  aOff: number,
  B: HostArray,
  bOff: number,
  C: HostArray,
  cOff: number,
): void {
  for (let i = 0; i < M; i++) {
    const ai = aOff + i * K;
    const ci = cOff + i * N;
    for (let j = 0; j < N; j++) {
      const bj = bOff + j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[ai + k]! * B[bj + k]!;
      C[ci + j]! += s;
    }
  }
}
