/** NAS-Bench-201 as a search space: arch strings (`|op~0|+|op~0|op~1|+|…|`) and xautodl's TinyNetwork. */
import type { SearchSpace } from '../space.js';
import { archString, parseArch } from './arch.js';
import { Nb201Network } from './network.js';

export const NB201_SPACE: SearchSpace = {
  name: 'nb201',
  title: 'NAS-Bench-201',
  example: "'|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'",
  canonical: (text) => archString(parseArch(text)),
  build: (backend, arch, o) => new Nb201Network(backend, { arch, numClasses: o.numClasses, ...(o.dtype ? { dtype: o.dtype } : {}) }),
};
