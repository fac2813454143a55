/** What the proxies need of a network: its backend, its parameters, a forward, and taps on activations. */
import type { BatchNormMode, DType, Tape, Tensor } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import type { ParameterSet } from './parameters.js';

/** Optional taps on activations for the proxies that read them (fisher, NASWOT, TE-NAS, Zen). */
export interface ActivationObserver {
  /**
   * The output of a Conv2d or Linear layer before anything else touches it, with that layer's weight and the
   * tape that recorded it (a checkpointed segment's own on its recomputation, where this tap fires again).
   */
  layerOutput?(weight: Tensor, y: Tensor, tape: Tape): void;
  /** The input of every ReLU call, in call order. */
  reluInput?(x: Tensor): void;
  /** The feature map before global average pooling. */
  features?(h: Tensor): void;
  /**
   * Every module output as PyTorch forward hooks on every module of zero-cost-nas's NAS201Model (the NB201 model
   * MeCo scores) would see it, in hook order (a module after the modules it calls): a tensor that several nested
   * modules return (a ReLUConvBN's BN output is also its Sequential's and its own) comes once per module. NB201
   * only; other networks never call it.
   */
  moduleOutput?(y: Tensor): void;
  /**
   * The stem's output, then every cell's output (reduction blocks included), in order: the features AZ-NAS
   * reads (its TinyNetwork.extract_cell_features). NB201 only; other networks never call it.
   */
  cellOutput?(y: Tensor): void;
}

/** How a forward pass runs: the tape to record on, where BN statistics come from, and optional taps. */
export interface ForwardContext {
  tape: Tape;
  bnMode: BatchNormMode;
  observe?: ActivationObserver;
  /**
   * Move BN's running averages as PyTorch's train mode does (default true). A pass that never reads them may
   * skip it: the statistics then stay on the backend (on a GPU, two host round trips per BN layer fewer).
   */
  updateRunning?: boolean;
  /**
   * Recompute each segment (a cell) in the backward instead of keeping its activations (autodiff's
   * checkpoint): one segment's activations in memory instead of the network's, for one more forward.
   * Networks without segments ignore it.
   */
  checkpoint?: boolean;
}

/**
 * Structural variants some reference implementations score instead of the benchmark network (synflow):
 * where batch norm stays, whether cell convolutions carry a bias, and the number format.
 */
export interface NetworkVariant {
  dtype?: DType;
  /** `all` (the benchmark network), `reductions` (only inside reduction blocks) or `none`. */
  batchNorm?: 'all' | 'reductions' | 'none';
  /** Cell convolutions with a bias (zero-cost-nas's NAS201Model, whose cell BN is not affine). */
  cellConvBias?: boolean;
}

export interface Network {
  readonly backend: Backend;
  readonly parameters: ParameterSet;
  /** Logits [B, classes] for input x [B, 3, H, W]. */
  forward(ctx: ForwardContext, x: Tensor): Tensor;
  /** Multiply-accumulates for one input of [channels, height, width], in millions. */
  flops(inputShape: readonly [number, number, number]): number;
  /** The same architecture built as a variant, its parameters allocated but not initialised. */
  variant(v: NetworkVariant, backend?: Backend): Network;
}
