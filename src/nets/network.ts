/** What the per-sample pass and the proxies need of a network: its backend, its parameters and a forward. */
import type { BatchNormMode, Tape, Tensor } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import type { ParameterSet } from './parameters.js';

/** How a forward pass runs: the tape to record on and where BN statistics come from. */
export interface ForwardContext {
  tape: Tape;
  bnMode: BatchNormMode;
}

export interface Network {
  readonly backend: Backend;
  readonly parameters: ParameterSet;
  /** Logits [B, classes] for input x [B, 3, H, W]. */
  forward(ctx: ForwardContext, x: Tensor): Tensor;
}
