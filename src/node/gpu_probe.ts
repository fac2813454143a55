/**
 * The WebGPU probe of `--backend auto`, run as a child process (probeNodeWebGpu): opens Dawn, asks for the
 * adapter and device as the GPU thread would, prints the server's first message ({op: 'ready', adapter} or
 * {op: 'failed', message}) as one JSON line and exits. Dawn writes its warnings (no Vulkan driver, limits it
 * lowers) straight to the native stderr; here that is a pipe the parent discards.
 */
import { writeSync } from 'node:fs';
import { serveGpu } from '../gpu/server.js';
import { createDawn } from './dawn.js';

const answer = (m: unknown) => {
  writeSync(1, `${JSON.stringify(m)}\n`);
  process.exit(0); // before Dawn's objects can be collected (see DEVELOPERS.md)
};
try {
  await serveGpu(await createDawn(), { post: answer, listen: () => {} });
} catch (e) {
  answer({ op: 'failed', message: (e as Error).message });
}
