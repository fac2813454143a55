export * from './batch.js';
export * from './cifar.js';
export * from './nb101_table.js';
export * from './nb201_table.js';
export * from './nb301_table.js';
export * from './normalization.js';
