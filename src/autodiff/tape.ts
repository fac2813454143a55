/**
 * The tape: ops append (inputs, output, vjp) in the order they run, so walking it backwards visits every
 * node after all of its consumers — no topological sort needed. Gradients are accumulated with +=.
 * Entries hold tensor ids, not tensors: only what each VJP closes over (its saved tensors) stays alive.
 */
import type { Kernels } from '../backend/backend.js';
import type { TangentRule } from './tangent.js';
import type { PerSampleSink } from './per_sample_sink.js';
import type { FirstElementSink } from './first_element.js';
import { Tensor, hostArrayOf, nextTensorId, sameShape, shapeString } from '../backend/tensor.js';

export class Tape {
  private entries: Entry[] = [];
  private tracked = new Set<number>();
  private leaves = new Map<number, Tensor>();
  private taps = new Map<number, { y: Tensor; tag: unknown }>();
  /** For each watched leaf, the number of entries recorded before it was watched. */
  private watchedAt = new Map<number, number>();

  constructor(readonly backend: Kernels) {}

  /** Marks a leaf whose gradient is wanted, for this tape only. */
  watch(t: Tensor): Tensor {
    if (!this.tracked.has(t.id)) this.watchedAt.set(t.id, this.entries.length);
    this.tracked.add(t.id);
    this.leaves.set(t.id, t);
    return t;
  }

  isTracked(t: Tensor): boolean {
    return this.tracked.has(t.id);
  }

  /** Marks an op's output: a backward run with `onTapped` hands it its gradient (fisher reads layer outputs'). */
  tap(y: Tensor, tag: unknown): void {
    if (this.isTracked(y)) this.taps.set(y.id, { y, tag });
  }

  /** Records an op if any input is tracked; ops with untracked inputs only compute. */
  record(op: string, inputs: Tensor[], output: Tensor, vjp: Vjp, tangent?: TangentRule): Tensor {
    if (inputs.some((t) => this.isTracked(t))) {
      this.entries.push({ op, inputs: inputs.map((t) => ({ id: t.id, shape: t.shape })), output: output.id, vjp, tangent });
      this.tracked.add(output.id);
    }
    return output;
  }

  /** Reverse pass from `root`; returns the gradients of the tracked leaves (parameters and inputs). */
  backward(root: Tensor, options: BackwardOptions = {}): Map<Tensor, Tensor> {
    const be = this.backend;
    if (!options.seed && root.size !== 1)
      throw new Error(`backward: root of shape ${shapeString(root.shape)} needs an explicit seed gradient`);
    const sink = options.perSample;
    const within = options.within;
    const onTapped = options.onTapped ?? within?.onTapped;
    const firstElement = options.firstElement ?? within?.firstElement;
    const ctx: BackwardContext = {
      backend: be,
      needsGrad: (t) => this.isTracked(t),
      weightGrad: (w, summed, perSample) => {
        if (!this.isTracked(w) || options.noWeightGradients) return null;
        if (within) return within.weightGrad(w, summed, perSample);
        if (sink?.wants(w)) {
          const g = perSample();
          sink.consume(w, g);
          be.release(g); // sinks reduce what they are given at once and keep nothing
          return null;
        }
        return summed();
      },
      ...(onTapped ? { onTapped } : {}),
      ...(firstElement ? { firstElement } : {}),
    };
    const seed = options.seed ?? this.one(root); // made before firstId: the default seed is never released
    const grads = new GradientSlots(be, nextTensorId());
    grads.accumulate(root.id, seed);
    this.reverseWalk(grads, (e, dy) => {
      const tapped = onTapped && this.taps.get(e.output);
      if (tapped) onTapped(tapped.tag, tapped.y, dy);
      return e.vjp(dy, ctx);
    });
    return this.ofLeaves(grads);
  }

  /**
   * The vector-Jacobian product ⟨seed, ∂root/∂at⟩ with respect to a recorded intermediate tensor `at` (as
   * torch.autograd.grad(root, at, seed)): the reverse walk from `root` stops at the op that made `at`, so only
   * the ops between the two run. Weight gradients are not formed unless the weights are tracked. Null when root
   * does not depend on `at`.
   */
  gradientAt(root: Tensor, seed: Tensor, at: Tensor): Tensor | null {
    if (!sameShape(seed.shape, root.shape)) throw new Error(`gradientAt: seed ${shapeString(seed.shape)} for ${shapeString(root.shape)}`);
    if (!this.isTracked(at)) throw new Error('gradientAt: the tensor is not recorded on this tape');
    const be = this.backend;
    const ctx: BackwardContext = {
      backend: be,
      needsGrad: (t) => this.isTracked(t),
      weightGrad: (w, summed) => (this.isTracked(w) ? summed() : null),
    };
    const grads = new GradientSlots(be, nextTensorId());
    grads.accumulate(root.id, seed);
    // the ops recorded after `at` came to be (from its op, or from when it was watched)
    const first = this.watchedAt.get(at.id) ?? this.entries.findIndex((e) => e.output === at.id) + 1;
    this.reverseWalk(grads, (e, dy) => e.vjp(dy, ctx), first);
    const g = grads.take(at.id) ?? null;
    for (const [id] of [...grads.entries()]) grads.done(grads.take(id)!);
    return g;
  }

  /**
   * Exact Hessian-vector product by forward-over-reverse: the tangent `direction` (leaf → tangent) is pushed
   * through the recorded forward (jvp rules), then the reverse pass runs on (gradient, gradient tangent)
   * pairs. Returns, for each leaf given a direction, its gradient tangent: that leaf's rows of ∇²root · v.
   * Every op on the path from the leaves to the root needs a tangent rule. Exact (no finite differences).
   */
  hessianVectorProduct(root: Tensor, direction: ReadonlyMap<Tensor, Tensor>): Map<Tensor, Tensor> {
    if (root.size !== 1) throw new Error(`hessianVectorProduct: root of shape ${shapeString(root.shape)} is not a scalar`);
    for (const [leaf, t] of direction) {
      if (!this.leaves.has(leaf.id))
        throw new Error(`hessianVectorProduct: direction given for an unwatched tensor ${leaf.name ?? leaf.id}`);
      if (!sameShape(leaf.shape, t.shape))
        throw new Error(`hessianVectorProduct: direction ${shapeString(t.shape)} for ${shapeString(leaf.shape)}`);
    }
    const { tgrads } = this.gradientTangents(root, this.one(root), null, direction);
    const out = new Map<Tensor, Tensor>();
    for (const leaf of direction.keys()) {
      const t = tgrads.get(leaf);
      if (t) out.set(leaf, t);
    }
    return out;
  }

  /** The tangent of `root` when the leaves move along `direction` (leaf → tangent): forward mode on the tape. */
  tangentOf(root: Tensor, direction: ReadonlyMap<Tensor, Tensor>): Tensor | null {
    return this.pushTangents(root, direction, false).get(root.id) ?? null;
  }

  /**
   * Forward-over-reverse from `root` with gradient `seed` and its tangent `tseed` (null: zero), the leaves
   * moving along `direction`: each tracked leaf's gradient and gradient tangent (d/dε of its gradient).
   * Weight gradients go where `within` (the pass this one runs inside, as checkpoint's) sends them; without
   * it none are made, since an H·v reads only their tangents. Memory: the forward's activations, the
   * tangents that vjpJvp rules still read (each freed once its last reader has run) and the frontier.
   */
  gradientTangents(
    root: Tensor,
    seed: Tensor,
    tseed: Tensor | null,
    direction: ReadonlyMap<Tensor, Tensor>,
    within?: BackwardContext,
  ): { grads: Map<Tensor, Tensor>; tgrads: Map<Tensor, Tensor> } {
    const be = this.backend;
    const tangents = this.pushTangents(root, direction, true);
    tangents.drop(root.id); // read by nothing: the walk starts from tseed
    const ctx: BackwardContext = {
      backend: be,
      needsGrad: (t) => this.isTracked(t),
      weightGrad: (w, summed, perSample) => (within && this.isTracked(w) ? within.weightGrad(w, summed, perSample) : null),
    };
    const firstId = nextTensorId();
    const grads = new GradientSlots(be, firstId),
      tgrads = new GradientSlots(be, firstId);
    grads.accumulate(root.id, seed);
    if (tseed) tgrads.accumulate(root.id, tseed);
    // The gradients walk as in backward; their tangents ride along, slot for slot.
    this.reverseWalk(grads, (e, dy) => {
      const tdy = tgrads.take(e.output) ?? null;
      const tx = e.inputs.map((x) => tangents.get(x.id) ?? null);
      const rule = tdy === null && tx.every((t) => t === null) ? null : tangentRule(e);
      const both = rule?.vjpWithTangent?.(dy, tdy, tx, ctx);
      const dxs = both?.dxs ?? e.vjp(dy, ctx),
        tdxs = both?.tdxs ?? rule?.vjpJvp(dy, tdy, tx, ctx) ?? [];
      e.inputs.forEach((x, i) => {
        const tdx = tdxs[i];
        if (tdx) this.tracked.has(x.id) ? tgrads.accumulate(x.id, tdx) : tgrads.discard(tdx);
      });
      if (tdy) tgrads.done(tdy);
      if (!e.tangent?.piecewiseLinear) for (const x of e.inputs) tangents.read(x.id);
      return dxs;
    });
    return { grads: this.ofLeaves(grads), tgrads: this.ofLeaves(tgrads) };
  }

  /** The slots that belong to tracked leaves, by leaf. */
  private ofLeaves(slots: GradientSlots): Map<Tensor, Tensor> {
    const out = new Map<Tensor, Tensor>();
    for (const [id, g] of slots.entries()) {
      const leaf = this.leaves.get(id);
      if (leaf) out.set(leaf, g);
    }
    return out;
  }

  /**
   * Tangents of the tensors on the path from the leaves in `direction` to `root`, by id (jvp rules). Each is
   * freed once the last jvp that reads it has run, unless `walk`: a reverse walk follows, whose vjpJvp rules
   * read their inputs' tangents too (all but piecewise-linear ops'), and reads them off itself.
   */
  private pushTangents(root: Tensor, direction: ReadonlyMap<Tensor, Tensor>, walk: boolean): TangentSlots {
    const tangents = new TangentSlots(this.backend, nextTensorId());
    for (const [leaf, t] of direction) tangents.set(leaf.id, t);
    // Only entries the root depends on: others may hold tensors their scope has freed since (an earlier
    // loss recorded on a shared tape), and their tangents would be wasted work anyway.
    const onPath = new Set<number>([root.id]);
    const path: Entry[] = [];
    for (let k = this.entries.length - 1; k >= 0; k--) {
      const e = this.entries[k]!;
      if (!onPath.has(e.output)) continue;
      path.push(e);
      for (const x of e.inputs) onPath.add(x.id);
    }
    path.reverse();
    for (const e of path) for (const x of e.inputs) tangents.expect(x.id, walk && !e.tangent?.piecewiseLinear ? 2 : 1);
    for (const e of path) {
      const tx = e.inputs.map((x) => tangents.get(x.id) ?? null);
      if (tx.some((t) => t !== null)) {
        const t = tangentRule(e).jvp(tx, this.backend);
        if (t) tangents.set(e.output, t);
      }
      for (const x of e.inputs) tangents.read(x.id);
    }
    return tangents;
  }

  /**
   * The one reverse walk: entries in reverse recording order, each given its output's gradient (consumed
   * exactly once) by `step`, which returns the input gradients; those are added into `grads`. Entries before
   * index `stop` are not visited.
   */
  private reverseWalk(grads: GradientSlots, step: (e: Entry, dy: Tensor) => (Tensor | null)[], stop = 0): void {
    for (let k = this.entries.length - 1; k >= stop; k--) {
      const e = this.entries[k]!;
      const dy = grads.take(e.output);
      if (!dy) continue;
      const dxs = step(e, dy);
      e.inputs.forEach((x, i) => {
        const dx = dxs[i];
        if (!dx) return;
        if (!this.tracked.has(x.id)) return grads.discard(dx);
        if (!sameShape(dx.shape, x.shape)) {
          throw new Error(`${e.op} vjp: gradient ${shapeString(dx.shape)} for input ${i} of shape ${shapeString(x.shape)}`);
        }
        grads.accumulate(x.id, dx);
      });
      grads.done(dy);
    }
  }

  /** The gradient 1 of a scalar root. */
  private one(root: Tensor): Tensor {
    return this.backend.fromHost(hostArrayOf(root.dtype, [1]), root.shape);
  }
}

function tangentRule(e: Entry): TangentRule {
  if (!e.tangent) throw new Error(`hessianVectorProduct: op ${e.op} has no tangent rule`);
  return e.tangent;
}

export interface BackwardContext {
  readonly backend: Kernels;
  /** Whether a gradient for this input is needed (it is a tracked leaf or comes from a recorded op). */
  needsGrad(t: Tensor): boolean;
  /**
   * The gradient of a weight: handed per sample to the sink when it wants this parameter (returns null,
   * since nothing is left to accumulate), otherwise the batch-summed gradient.
   */
  weightGrad(w: Tensor, summed: () => Tensor, perSample: () => Tensor): Tensor | null;
  /** Handed each tapped output's gradient (see Tape.tap), when the backward was asked to. */
  onTapped?(tag: unknown, y: Tensor, dy: Tensor): void;
  /** Receives per-sample derivatives with respect to parameters' first elements (first_element.ts). */
  firstElement?: FirstElementSink;
}

export type Vjp = (dy: Tensor, ctx: BackwardContext) => (Tensor | null)[];

interface Entry {
  op: string;
  inputs: { id: number; shape: readonly number[] }[];
  output: number;
  vjp: Vjp;
  tangent?: TangentRule;
}

export interface BackwardOptions {
  /** Gradient of the root; defaults to 1 for a scalar root. */
  seed?: Tensor;
  perSample?: PerSampleSink;
  /** Per-sample derivatives with respect to the first element of the parameters it wants (VKDNW). */
  firstElement?: FirstElementSink;
  /**
   * Form no Conv2d/Linear weight gradient (the weights were watched only so that their ops are recorded, for
   * a first-element sink).
   */
  noWeightGradients?: boolean;
  /** Called with the gradient of every tapped output (Tape.tap), as the pass reaches it. */
  onTapped?(tag: unknown, y: Tensor, dy: Tensor): void;
  /**
   * The backward this one runs inside (an op's VJP that backpropagates through a tape of its own, as
   * checkpoint does): weight gradients and taps go where that pass sends them.
   */
  within?: BackwardContext;
}

/**
 * Gradients waiting to be consumed, by tensor id, with reference counts. A gradient made during this pass
 * (id ≥ firstId) goes back to the backend as soon as nothing holds it — consumed, or replaced by a sum — so
 * a pass needs memory for its frontier of gradients, not for every gradient it made. A vjp may return its dy
 * (add, for both inputs): the counts keep such aliases alive.
 */
class GradientSlots {
  private slots = new Map<number, Tensor>();
  private refs = new Map<Tensor, number>();
  private released = new Set<Tensor>();

  constructor(
    private readonly be: Kernels,
    private readonly firstId: number,
  ) {}

  /** Adds g into slot id (a new tensor when the slot already holds one). */
  accumulate(id: number, g: Tensor): void {
    const prev = this.slots.get(id);
    const v = prev ? this.be.add(prev, g) : g;
    this.slots.set(id, v);
    this.refs.set(v, (this.refs.get(v) ?? 0) + 1);
    if (prev) {
      this.done(prev);
      this.discard(g);
    }
  }

  /** Empties slot id; the caller calls done() on the tensor once every use of it is over. */
  take(id: number): Tensor | undefined {
    const t = this.slots.get(id);
    this.slots.delete(id);
    return t;
  }

  entries(): IterableIterator<[number, Tensor]> {
    return this.slots.entries();
  }

  done(t: Tensor): void {
    const n = (this.refs.get(t) ?? 1) - 1;
    if (n > 0) this.refs.set(t, n);
    else {
      this.refs.delete(t);
      this.discard(t);
    }
  }

  /** Releases t if this pass made it and nothing holds it. */
  discard(t: Tensor): void {
    if (t.id < this.firstId || this.refs.has(t) || this.released.has(t)) return;
    this.released.add(t);
    this.be.release(t);
  }
}

/**
 * Tangents by tensor id while a pass still reads them: an id is dropped after its last expected read, and a
 * tangent this pass made (id ≥ firstId; the caller's directions never) goes back to the backend once no id
 * holds it — a jvp may return an input's tangent (add with one zero side), so one tensor can fill two slots.
 */
class TangentSlots {
  private slots = new Map<number, Tensor>();
  private reads = new Map<number, number>();
  private holders = new Map<Tensor, number>();

  constructor(
    private readonly be: Kernels,
    private readonly firstId: number,
  ) {}

  get(id: number): Tensor | undefined {
    return this.slots.get(id);
  }

  set(id: number, t: Tensor): void {
    this.drop(id);
    this.slots.set(id, t);
    this.holders.set(t, (this.holders.get(t) ?? 0) + 1);
  }

  /** `n` more reads of slot id will come. */
  expect(id: number, n: number): void {
    this.reads.set(id, (this.reads.get(id) ?? 0) + n);
  }

  /** One expected read of slot id is over; after the last the slot is dropped. */
  read(id: number): void {
    const n = (this.reads.get(id) ?? 0) - 1;
    if (n > 0) return void this.reads.set(id, n);
    this.reads.delete(id);
    this.drop(id);
  }

  drop(id: number): void {
    const t = this.slots.get(id);
    if (!t) return;
    this.slots.delete(id);
    const n = this.holders.get(t)! - 1;
    if (n > 0) return void this.holders.set(t, n);
    this.holders.delete(t);
    if (t.id >= this.firstId) this.be.release(t);
  }
}
