/** zerocost: zero-cost NAS proxies with a hand-written autodiff. Runtime-neutral entry (no Node built-ins). */
export * from './autodiff/index.js';
export type { Backend, Conv2dParams, Pool2dParams, StatsGrouping } from './backend/backend.js';
export { ReferenceBackend } from './backend/reference/index.js';
export { WasmBackend, createWasmBackend } from './backend/wasm/index.js';
export { createWebWasmBackend, webDefaultThreads } from './backend/wasm/web.js';
export type { SignStore } from './backend/backend.js';
export { OutOfMemoryError } from './backend/backend.js';
export { WebGpuBackend } from './gpu/backend.js';
export { createWebGpuBackend, type WebGpuOptions } from './gpu/web.js';
export { canBlock } from './backend/threads.js';
export { serveGpu, type GpuEntry, type ServeOptions } from './gpu/server.js';
export { webPort, type AdapterSummary, type GpuPort } from './gpu/protocol.js';
export * from './data/index.js';
export * from './io/index.js';
export { kendallTauB, spearman, averageRanks, type Correlation } from './eval/correlation.js';
export { ParameterSet, type ParameterEntry, type ParameterKind, type HostTensor } from './nets/parameters.js';
export { ArchStringError, NB201_OPS, archString, parseArch, type CellEdge, type Genotype, type Nb201Op } from './nets/nb201/arch.js';
export { Nb201Network, type Nb201Config } from './nets/nb201/network.js';
export { Nb101Network, type Nb101Config } from './nets/nb101/network.js';
export {
  nb101CellPlans,
  nb101OutputChannels,
  nb101ParameterCount,
  nb101VertexChannels,
  type Nb101CellPlan,
  type Nb101Shape,
} from './nets/nb101/channels.js';
export { nb101Flops, type Nb101FlopsShape } from './nets/nb101/flops.js';
export { nb101Space } from './nets/nb101/space.js';
export {
  CELL_OPS,
  DARTS_OPS,
  DARTS_V2,
  NDS_EXTRA_OPS,
  DartsGenotypeError,
  NASLIB_COMPACT_OPS,
  compactGenotypeText,
  dartsGenotypeText,
  parseCompactGenotype,
  parseDartsGenotype,
  parseDartsGenotypeText,
  type DartsCell,
  type DartsGenotype,
  type DartsOp,
  type DartsPair,
} from './nets/darts/genotype.js';
export {
  NB301_SHAPE,
  dartsCellPlans,
  dartsReductionCells,
  type DartsCellPlan,
  type DartsOpsVariant,
  type DartsShape,
} from './nets/darts/plan.js';
export { dartsLayers, type DartsLayer, type DartsLayerShape } from './nets/darts/layers.js';
export {
  dartsBufferShapes,
  dartsConvLinearMacs,
  dartsFlops,
  dartsParameterCount,
  dartsParameterShapes,
  type DartsParameterShape,
} from './nets/darts/counts.js';
export {
  NDS_CELL_SPACES,
  NDS_SPACE_NAMES,
  checkNdsArch,
  ndsArchFromNet,
  ndsArchText,
  ndsCellSpace,
  ndsConcat,
  ndsSearchSpace,
  parseNdsArch,
  sampleNdsArch,
  type NdsArch,
  type NdsCellOutput,
  type NdsCellSpace,
} from './nets/darts/nds_spaces.js';
export { parseNdsTable, type NdsRecord, type NdsTable } from './data/nds_table.js';
export type { ActivationObserver, ForwardContext, Network, NetworkVariant } from './nets/network.js';
export { ClassGramReducer } from './per_sample/class_gram.js';
export { CollectAllReducer } from './per_sample/collect_all.js';
export { runPerSampleGradients, weightLayout } from './per_sample/per_sample_gradients.js';
export { groupByClass, type Reducer, type WeightLayout } from './per_sample/reducer.js';
export { signsOf } from './backend/reference/reduce.js';
export { SignSumReducer } from './per_sample/sign_sum.js';
export { gradalign1, gradalign2, type ClassBlock, type GradAlignNorm } from './proxies/gradalign.js';
export { gradsign, type GradSignReduction } from './proxies/gradsign.js';
export * from './proxies/registry.js';
export { BatchPass } from './proxies/batch_pass.js';
export { synflow, type SynflowVariant } from './proxies/synflow.js';
export { zen } from './proxies/zen.js';
export { linearRegions, ntkConditionNumber } from './proxies/tenas.js';
export { scoreArchitecture, type ArchitectureScore, type ScoreArchitectureOptions } from './scoring.js';
export { Random } from './util/random.js';
export { loadWeights, weightsToTensors } from './weights.js';
// NAS with zero-cost proxies (src/search): algorithms, the oracle a user's trainer implements, the NB201 table oracle
export { ALGORITHM_NAMES, algorithmLabel, type AlgorithmName } from './search/algorithms.js';
export { DEFAULT_SETTINGS, type SearchSettings, type Variant } from './search/context.js';
export { hyperbandBrackets, type Bracket } from './search/hyperband.js';
export type { Training } from './search/ledger.js';
export { mutate, randomGenes } from './search/moves.js';
export { nb201TableOracle } from './search/nb201_oracle.js';
export { NB201_SEARCH_SPACE } from './search/nb201_space.js';
export type { Accuracies, Oracle } from './search/oracle.js';
export { GRADSIGN_TABLE6, type PaperRow } from './search/paper_numbers.js';
export { proxyFromResults, proxyPick, proxyTable, type ProxyScores } from './search/proxy.js';
export { search, searchRuns, type SearchOptions, type SearchResult, type SeededRun } from './search/search.js';
export { categoricalSpace, spaceSize, type CategoricalSpace } from './search/space.js';
export { incumbentCurve, meanStd, summarizeAccuracies, type MeanStd } from './search/summary.js';
