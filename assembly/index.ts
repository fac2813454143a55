// Entry point of the kernel module: every export of the ABI (see scripts/build-wasm.mjs and
// src/backend/wasm/kernels_wasm.ts). All pointers are byte offsets into the imported shared memory.
export { gemm } from './gemm';
export { transpose, relu, relu_grad, add, scale, sum, add_row_vector, sum_rows, outer_per_sample } from './elementwise';
export { conv2d_forward, conv2d_grad_input, conv2d_grad_weight } from './conv';
export {
  depthwise_conv2d_scratch, depthwise_conv2d_forward, depthwise_conv2d_grad_input, depthwise_conv2d_grad_weight,
} from './depthwise';
export { winograd_scratch, winograd_weights_bytes, winograd_weights, winograd_forward, winograd_grad_weight } from './winograd';
export { avg_pool2d_scratch, avg_pool2d, avg_pool2d_grad, max_pool2d, max_pool2d_grad, global_avg_pool, global_avg_pool_grad } from './pooling';
export { copy_channels, crop_spatial, crop_spatial_grad } from './channels';
export { bn_stats, bn_forward, bn_backward } from './batch_norm';
export { softmax_ce, softmax_ce_grad } from './loss';
export { sign_sum, signs_pack, class_gram } from './reduce';
