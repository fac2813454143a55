/**
 * Binary ReLU codes of a batch, reduced as they are produced to the NASWOT kernel
 * K_ij = Σ_r (D_r − Hamming(c_r,i, c_r,j)): each ReLU call's codes 1[z > 0] are bit-packed per sample and
 * the pairwise Hamming distances counted exactly with popcounts.
 */
import { firstNonFinite } from '../util/finite.js';

export class ReluCodes {
  /** Σ_r Hamming distances, B×B, exact integers. */
  readonly hamming: Float64Array;
  /** Σ_r D_r, the number of ReLU units per sample. */
  units = 0;
  /** Whether a ReLU input was NaN or ±Inf (the forward overflowed): NaN has no code, so K means nothing. */
  nonFinite = false;

  constructor(readonly B: number) {
    this.hamming = new Float64Array(B * B);
  }

  /** One ReLU call's input, [B, ...] flattened per sample. */
  add(z: ArrayLike<number>): void {
    const B = this.B,
      D = z.length / B,
      words = Math.ceil(D / 32);
    if (!this.nonFinite && firstNonFinite(z) >= 0) this.nonFinite = true;
    const packed = packCodes(z, B, D);
    for (let i = 0; i < B; i++) {
      for (let j = i + 1; j < B; j++) {
        let d = 0;
        for (let w = 0; w < words; w++) d += popcount(packed[i * words + w]! ^ packed[j * words + w]!);
        this.hamming[i * B + j]! += d;
        this.hamming[j * B + i]! += d;
      }
    }
    this.units += D;
  }

  /** K = units − Hamming: the number of ReLU units on which two samples agree. */
  kernel(): Float64Array {
    return this.hamming.map((h) => this.units - h);
  }
}

/** Bit-packs 1[z > 0] of each of B rows of D values into ⌈D/32⌉ words per row. */
export function packCodes(z: ArrayLike<number>, B: number, D: number): Uint32Array {
  const words = Math.ceil(D / 32);
  const out = new Uint32Array(B * words);
  for (let i = 0; i < B; i++) {
    for (let k = 0; k < D; k++) if (z[i * D + k]! > 0) out[i * words + (k >>> 5)]! |= 1 << (k & 31);
  }
  return out;
}

export function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
