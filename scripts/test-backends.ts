import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/** The backends every tensor test runs on in Node (webgl and webgpu run in the browser suite). */
export const TEST_BACKENDS = ['cpu', 'wasm'] as const;
