/**
 * The checks of a DARTS-family network against a GradSign fixture case of the PyTorch port (darts_gradsign.json,
 * nds_gradsign.json: make_darts_fixtures.gradsign_run): batch-train logits, loss and every parameter's gradient
 * (sum and norm), eval logits, per-sample losses; GradSign and GradAlign-I/II from the per-sample pass. Each
 * returns the line of measured agreement.
 */
import type { PerSampleBn } from '../src/per_sample/per_sample_gradients.js';
import * as assert from 'uvu/assert';
import { Tape, crossEntropy } from '../src/autodiff/index.js';
import type { Backend } from '../src/backend/backend.js';
import type { Batch } from '../src/data/batch.js';
import type { Network } from '../src/nets/network.js';
import { DEFAULT_PROXY_OPTIONS, PER_SAMPLE_PROXIES, reducePerSample, reducersNeeded, scoreReduced } from '../src/proxies/registry.js';
import { maxNormErr, relErr } from './helpers.js';

export interface Run {
  batch_train_logits: number[][];
  batch_train_loss: number;
  batch_grad_sum_norm: Record<string, [number, number]>;
  batch_eval_logits: number[][];
  batch_eval_loss: number;
  per_sample_loss: number[];
  scores: Record<string, number | null>;
  num_zero_grads: number;
  /** The same per-sample proxies with the batch's BN statistics held fixed (--per-sample-bn batch), where written. */
  batch_bn?: { per_sample_loss: number[]; scores: Record<string, number | null>; per_sample_grad_max_abs: number };
}
export interface GradsignCase {
  text: string;
  genotype: string;
  C: number;
  layers: number;
  num_classes: number;
  ops: 'naslib' | 'darts';
  labels: number[];
  num_params: number;
  m: number;
  weight_layers: string[];
  per_sample_grad_max_abs_f64: number;
  f32: Run;
  f64: Run;
}

export function xOf(be: Backend, batch: Batch, dtype: 'f32' | 'f64') {
  return be.fromHost(dtype === 'f64' ? Float64Array.from(batch.x) : Float32Array.from(batch.x), batch.shape);
}

export function checkForwards(
  be: Backend,
  name: string,
  c: GradsignCase,
  network: () => Network,
  batch: Batch,
  dtype: 'f32' | 'f64',
): string {
  const want = c[dtype];
  assert.equal(Array.from(batch.y), c.labels);
  const tol = dtype === 'f64' ? 1e-9 : 1e-4;
  let line = '';
  be.scope(() => {
    const net = network();
    const tape = new Tape(be);
    const params = net.parameters.entries.map((e) => tape.watch(e.tensor));
    const logits = net.forward({ tape, bnMode: 'batch' }, xOf(be, batch, dtype));
    const lErr = maxNormErr(be.toHost(logits), want.batch_train_logits.flat());
    assert.ok(lErr < tol, `${name} ${dtype}: batch-train logits error ${lErr}`);
    const loss = crossEntropy(tape, logits, batch.y, 'mean');
    const lossErr = relErr(be.toHost(loss)[0]!, want.batch_train_loss);
    assert.ok(lossErr < tol, `batch-train loss ${lossErr}`);
    // the batch-statistics gradient of every parameter: its sum and norm
    const g = tape.backward(loss);
    let worstNorm = 0,
      worstSum = 0;
    const scale = Math.max(...Object.values(want.batch_grad_sum_norm).map(([, n]) => n));
    for (const p of params) {
      const [sum, norm] = want.batch_grad_sum_norm[p.name!]!;
      const d = g.get(p) ? be.toHost(g.get(p)!) : new Float64Array(p.size);
      let s = 0,
        n2 = 0;
      for (const v of d) {
        s += v;
        n2 += v * v;
      }
      const eNorm = Math.abs(Math.sqrt(n2) - norm) / Math.max(norm, 1e-3 * scale);
      const eSum = Math.abs(s - sum) / Math.max(norm, 1e-3 * scale);
      worstNorm = Math.max(worstNorm, eNorm);
      worstSum = Math.max(worstSum, eSum);
      const bound = dtype === 'f64' ? 1e-7 : 5e-3;
      assert.ok(eNorm < bound && eSum < bound, `${name} ${dtype} ${p.name}: grad norm ${Math.sqrt(n2)} vs ${norm}, sum ${s} vs ${sum}`);
    }
    // eval mode (the initial running statistics) and the per-sample losses
    const evalLogits = be.toHost(network().forward({ tape: new Tape(be), bnMode: 'running' }, xOf(be, batch, dtype)));
    const eErr = maxNormErr(evalLogits, want.batch_eval_logits.flat());
    assert.ok(eErr < tol, `eval logits ${eErr}`);
    const { losses } = be.softmaxCrossEntropy(net.forward({ tape: new Tape(be), bnMode: 'sample' }, xOf(be, batch, dtype)), batch.y);
    let sErr = 0;
    be.toHost(losses).forEach((l, i) => (sErr = Math.max(sErr, relErr(l, want.per_sample_loss[i]!))));
    assert.ok(sErr < tol, `per-sample losses ${sErr}`);
    line =
      `${name} ${dtype} (${be.name}): logits ${lErr.toExponential(1)}, loss ${lossErr.toExponential(1)}, grad norms ${worstNorm.toExponential(1)}, ` +
      `grad sums ${worstSum.toExponential(1)} of the norm, eval logits ${eErr.toExponential(1)}, per-sample losses ${sErr.toExponential(1)}`;
  });
  return line;
}

export function checkPerSample(
  be: Backend,
  name: string,
  c: GradsignCase,
  network: () => Network,
  batch: Batch,
  dtype: 'f32' | 'f64',
  checkpoint = false,
  bn: PerSampleBn = 'sample',
): string {
  const want = bn === 'batch' ? c[dtype].batch_bn : c[dtype];
  if (want === undefined) throw new Error(`${name}: the fixture has no batch_bn results`);
  const net = network();
  const before = net.parameters.stateDict();
  const reduced = reducePerSample(net, batch, reducersNeeded(PER_SAMPLE_PROXIES), { bn });
  // the batch pass that records the statistics leaves the running averages as they were
  for (const [k, t] of net.parameters.stateDict()) assert.equal([...t.data], [...before.get(k)!.data], `${k} after the pass`);
  assert.is(reduced.m, c.m, 'm');
  const lossSum = want.per_sample_loss.reduce((a, b) => a + b, 0);
  assert.ok(relErr(reduced.lossSum, lossSum) < (dtype === 'f64' ? 1e-10 : 1e-5), `loss sum ${reduced.lossSum} vs ${lossSum}`);
  // f64: as the port's f64 values (≤ 1e-6 relative, measured below); f32: the NB101 test's bound for f32 signs
  const bound = dtype === 'f64' ? 1e-6 : 1e-3;
  let worst = 0;
  const check = (key: string, got: number, absolute: boolean) => {
    const w = want.scores[key];
    if (w === null || w === undefined) return assert.ok(Number.isNaN(got), `${key}: expected NaN, got ${got}`);
    const err = absolute ? Math.abs(got - w) : w === 0 ? Math.abs(got) : relErr(got, w);
    worst = Math.max(worst, err);
    assert.ok(err <= bound, `${name} ${dtype} ${key}: ${got} vs PyTorch ${w} (${absolute ? 'abs' : 'rel'} err ${err})`);
  };
  for (const reduction of ['sum', 'mean'] as const) {
    const o = { ...DEFAULT_PROXY_OPTIONS, gradsignReduction: reduction, gradalignNorm: 'none' as const };
    check(`gradsign_${reduction}`, scoreReduced(reduced, ['gradsign'], o).scores.gradsign!, false);
  }
  for (const n of ['none', 'params', 'cosine'] as const) {
    const o = { ...DEFAULT_PROXY_OPTIONS, gradsignReduction: 'sum' as const, gradalignNorm: n };
    const { scores } = scoreReduced(reduced, ['gradalign1', 'gradalign2'], o);
    check(`gradalign1_${n}`, scores.gradalign1!, false);
    // the fixture holds −log det; the default direction is +log det
    check(`gradalign2_${n}`, -scores.gradalign2!, true);
  }
  return `${name} ${dtype} (${be.name}${checkpoint ? ', checkpointed' : ''}, ${bn} BN): GradSign/GradAlign worst error ${worst.toExponential(2)}`;
}
