/**
 * What identifies the images of a run in its results' protocol: the split, the image count and a SHA-256 of
 * the labels and pixels as loaded, not the folder they were read from, so a results file can be resumed or
 * reported from any checkout, spelling or symlink of the same data, and is refused for other images.
 */
import { createHash } from 'node:crypto';
import { CIFAR_PIXELS, type CifarData } from '../data/cifar.js';
import type { DataIdentity } from '../eval/protocol.js';

export function cifarIdentity(data: CifarData, images: string): DataIdentity {
  const labels = new Int32Array(data.labels); // a copy: little-endian on every platform Node runs on
  const h = createHash('sha256');
  h.update(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
  h.update(data.images.subarray(0, data.count * CIFAR_PIXELS));
  return { images, count: data.count, sha256: h.digest('hex') };
}
