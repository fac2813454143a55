/// <reference types="@webgpu/types" />
/** The GPU thread as a Web Worker (Deno, browsers): serves navigator.gpu to the thread that started it. */
import { serveGpu } from './server.js';
import { webPort, type GpuPort } from './protocol.js';

const scope = globalThis as unknown as Parameters<typeof webPort>[0] & { navigator: { gpu?: GPU } };
const port: GpuPort = webPort(scope);
const gpu = scope.navigator.gpu;
if (!gpu) port.post({ op: 'failed', message: 'this runtime has no navigator.gpu (WebGPU is off or unsupported)' });
else void serveGpu(gpu, port);
