/**
 * Network weights ↔ safetensors tensors under their PyTorch state_dict names. Floats are stored as F32,
 * `num_batches_tracked` as an I64 scalar, as torch.save(state_dict) would have them.
 */
import { DataFormatError } from './io/errors.js';
import { tensorToFloat64, type RawTensor } from './io/safetensors.js';
import type { HostTensor, ParameterSet } from './nets/parameters.js';

export function loadWeights(params: ParameterSet, tensors: Map<string, RawTensor>, source = 'weights'): void {
  const state = new Map<string, HostTensor>();
  for (const [name, t] of tensors) {
    const isCounter = name.endsWith('.num_batches_tracked');
    const ok = isCounter ? ['I64', 'I32', 'U64'].includes(t.dtype) : ['F32', 'F64', 'F16', 'BF16'].includes(t.dtype);
    if (!ok)
      throw new DataFormatError(`tensor "${name}" has dtype ${t.dtype}, expected ${isCounter ? 'an integer' : 'a float'} dtype`, source);
    state.set(name, { shape: t.shape, data: tensorToFloat64(t, name, source) });
  }
  try {
    params.loadStateDict(state, source);
  } catch (e) {
    throw new DataFormatError((e as Error).message.replace(`${source}: `, ''), source);
  }
}

export function weightsToTensors(params: ParameterSet): Map<string, RawTensor> {
  const out = new Map<string, RawTensor>();
  for (const [name, t] of params.stateDict()) {
    out.set(
      name,
      name.endsWith('.num_batches_tracked')
        ? { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(t.data[0] ?? 0)) }
        : { dtype: 'F32', shape: t.shape, data: Float32Array.from(t.data) },
    );
  }
  return out;
}
