/**
 * The machinery behind AZ-NAS and VKDNW, against plain backward passes: Tape.gradientAt (a VJP from an
 * intermediate tensor to another) and the per-sample first-element Jacobian (FirstElementSink, eval-mode BN)
 * against a loop of batch-of-one backward passes with every parameter's full gradient; Kaiming fan-in init's
 * law; the largest singular value.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tape, type Tensor } from '../src/autodiff/index.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { firstElementJacobians } from '../src/proxies/vkdnw.js';
import { largestSingularValue } from '../src/util/linalg.js';
import { Random } from '../src/util/random.js';

const be = new ReferenceBackend();
/** Every op with a parameter: 3×3 and 1×1 convs, BN, pooling, a dead `none` branch, reductions, the classifier. */
const ARCH = '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|';

function network(seed: number, arch = ARCH): Nb201Network {
  const net = new Nb201Network(be, { arch, C: 4, N: 1, numClasses: 5, dtype: 'f64' });
  net.parameters.initializeKaimingNormal(new Random(seed));
  // non-trivial BN: γ, β and running statistics away from 1, 0 so that every term of the rule is exercised
  const rng = new Random(seed + 1);
  for (const e of net.parameters.entries)
    if (e.kind === 'bn_weight' || e.kind === 'bn_bias') {
      const h = Float64Array.from({ length: e.tensor.size }, () => (e.kind === 'bn_weight' ? 1 : 0) + 0.3 * rng.normal());
      e.tensor = be.fromHost(h, e.tensor.shape);
    }
  for (const bn of net.parameters.batchNorms.values()) {
    bn.runningMean.forEach((_, c) => (bn.runningMean[c] = 0.2 * rng.normal()));
    bn.runningVar.forEach((_, c) => (bn.runningVar[c] = 0.5 + rng.next()));
  }
  return net;
}

const input = (seed: number, shape: number[]) => {
  const rng = new Random(seed);
  return Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
};

test('first-element Jacobians equal a loop of batch-of-one backward passes (eval-mode BN, every parameter)', () => {
  const net = network(3);
  const shape = [3, 3, 8, 8];
  const x = input(4, shape);
  const { J, K, P } = firstElementJacobians(net, x, shape);
  assert.is(P, net.parameters.entries.length);
  let checked = 0,
    nonzero = 0;
  for (let n = 0; n < shape[0]!; n++) {
    for (let k = 0; k < K; k++) {
      be.scope(() => {
        const tape = new Tape(be);
        for (const e of net.parameters.entries) tape.watch(e.tensor);
        const xs = be.fromHost(x.subarray(n * 192, (n + 1) * 192), [1, 3, 8, 8]);
        const logits = net.forward({ tape, bnMode: 'running', updateRunning: false }, xs);
        const seed = new Float64Array(K);
        seed[k] = 1;
        const grads = tape.backward(logits, { seed: be.fromHost(seed, [1, K]) });
        net.parameters.entries.forEach((e, t) => {
          const g = grads.get(e.tensor);
          const want = g ? be.toHost(g)[0]! : 0;
          const got = J[(n * K + k) * P + t]!;
          assert.ok(Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want)), `sample ${n} class ${k} ${e.name}: ${got} vs ${want}`);
          checked++;
          if (want !== 0) nonzero++;
        });
      });
    }
  }
  assert.ok(nonzero > checked / 2, `${nonzero} of ${checked} derivatives are non-zero`);
});

test('Tape.gradientAt: the VJP to an intermediate tensor equals the tapped gradient of a full backward', () => {
  const net = network(5);
  const shape = [2, 3, 8, 8];
  const x = input(6, shape);
  be.scope(() => {
    const tape = new Tape(be);
    const xs = tape.watch(be.fromHost(x, shape));
    const feats: Tensor[] = [];
    net.forward({ tape, bnMode: 'batch', updateRunning: false, observe: { cellOutput: (y) => feats.push(y) } }, xs);
    assert.is(feats.length, 6, 'stem + 5 cells (N = 1: cell, reduction, cell, reduction, cell)');
    for (let i = feats.length - 1; i >= 1; i--) {
      const out = feats[i]!,
        at = feats[i - 1]!;
      const rng = new Random(i);
      const seed = be.fromHost(
        Float64Array.from({ length: out.size }, () => rng.normal()),
        out.shape,
      );
      const got = be.toHost(tape.gradientAt(out, seed, at)!);
      // the same through a full backward that taps `at`
      tape.tap(at, 'at');
      let tapped: ArrayLike<number> | undefined;
      tape.backward(out, { seed, onTapped: (_t, _y, dy) => (tapped = be.toHost(dy)) });
      assert.ok(tapped, 'tapped');
      for (let k = 0; k < got.length; k++)
        assert.ok(Math.abs(got[k]! - tapped![k]!) <= 1e-12 * Math.max(1, Math.abs(tapped![k]!)), `${i}: ${k}`);
    }
  });
});

test('Kaiming fan-in init: conv/linear weights N(0, 2/fan_in), biases 0, BN γ 1 β 0, fresh running statistics', () => {
  const net = new Nb201Network(be, { arch: ARCH, C: 16, N: 1, numClasses: 10, dtype: 'f64' });
  for (const bn of net.parameters.batchNorms.values()) bn.runningMean.fill(3);
  net.parameters.initializeKaimingNormal(new Random(9));
  for (const e of net.parameters.entries) {
    const h = Array.from(be.toHost(e.tensor));
    if (e.kind === 'conv_weight' || e.kind === 'linear_weight') {
      const variance = h.reduce((a, v) => a + v * v, 0) / h.length;
      const want = 2 / e.fanIn;
      // a sample variance of n normals is within ±4·√(2/n) of the truth
      assert.ok(Math.abs(variance / want - 1) <= 4 * Math.sqrt(2 / h.length), `${e.name}: var ${variance} vs ${want}`);
    } else
      assert.ok(
        h.every((v) => v === (e.kind === 'bn_weight' ? 1 : 0)),
        e.name,
      );
  }
  for (const bn of net.parameters.batchNorms.values())
    assert.ok(bn.runningMean.every((v) => v === 0) && bn.runningVar.every((v) => v === 1));
});

test('largest singular value: of a rank-one matrix, both orientations', () => {
  // u vᵀ with |u| = 3, |v| = 5: σ = 15
  const u = [1, 2, 2],
    v = [3, 4];
  const M = u.flatMap((a) => v.map((b) => a * b));
  assert.ok(Math.abs(largestSingularValue(M, 3, 2) - 15) < 1e-12);
  const Mt = v.flatMap((b) => u.map((a) => a * b));
  assert.ok(Math.abs(largestSingularValue(Mt, 2, 3) - 15) < 1e-12);
  assert.is(largestSingularValue([0, 0, 0, 0], 2, 2), 0);
});

test.run();
