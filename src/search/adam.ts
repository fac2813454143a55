/** Adam (Kingma & Ba), as torch.optim.Adam steps it (bias-corrected moments, ε added to √v̂), on a flat array. */
export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    readonly size: number,
    readonly lr: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** params −= lr · m̂ / (√v̂ + ε), in place. */
  step(params: Float64Array, grad: Float64Array): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t,
      c2 = 1 - this.beta2 ** this.t;
    for (let i = 0; i < this.size; i++) {
      const g = grad[i]!;
      this.m[i] = this.beta1 * this.m[i]! + (1 - this.beta1) * g;
      this.v[i] = this.beta2 * this.v[i]! + (1 - this.beta2) * g * g;
      params[i]! -= ((this.lr / c1) * this.m[i]!) / (Math.sqrt(this.v[i]!) / Math.sqrt(c2) + this.eps);
    }
  }
}
