export * from './errors.js';
export * from './safetensors.js';
