/**
 * colorize's own WebAssembly SIMD kernels ship inside the packages as base64 (built from their C
 * sources by `scripts/build-wasm-kernels.mjs`), each module with its own memory. This loads one
 * in the current thread: synchronously where the runtime allows it (Node, workers, and browsers
 * for modules up to 4 KB), otherwise in the background, and never where the runtime lacks
 * WebAssembly SIMD. Callers keep a JavaScript or tfjs-op form of each kernel for the last two
 * cases, with the same results.
 */

/** What every module exports besides its functions: where its own data and stack end. */
export interface EmbeddedExports {
  __heap_base: WebAssembly.Global;
}

/** An instantiated module and the memory it imports. */
export interface EmbeddedInstance<E extends EmbeddedExports> {
  exports: E;
  memory: WebAssembly.Memory;
}

const PAGE = 65536;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function imports(): { memory: WebAssembly.Memory; imports: WebAssembly.Imports } {
  const memory = new WebAssembly.Memory({ initial: 2 });
  return { memory, imports: { env: { memory } } };
}

/** One embedded module, instantiated at most once per thread. */
export class EmbeddedModule<E extends EmbeddedExports> {
  /** `undefined`: not loaded yet; `null`: this runtime cannot run it (no WebAssembly SIMD). */
  private loaded: EmbeddedInstance<E> | null | undefined;
  private loading: Promise<void> | undefined;

  /** @param base64 - the module's bytes, base64 (a generated `*.wasm.ts` file's `MODULE_BASE64`). */
  constructor(private readonly base64: string) {}

  /** The module's bytes, or `null` where the runtime lacks WebAssembly SIMD (then loaded is null). */
  private bytes(): Uint8Array<ArrayBuffer> | null {
    const bytes = decodeBase64(this.base64);
    if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(bytes)) {
      this.loaded = null;
      return null;
    }
    return bytes;
  }

  /**
   * The instance in this thread, or `null` where the runtime lacks WebAssembly SIMD or the module
   * is still compiling. The first call compiles it synchronously; where the runtime refuses that
   * (a browser's main thread, for modules over 4 KB) it starts {@link EmbeddedModule.load} and
   * returns `null` until that is done.
   */
  instance(): EmbeddedInstance<E> | null {
    if (this.loaded !== undefined) return this.loaded;
    if (this.loading !== undefined) return null;
    const bytes = this.bytes();
    if (bytes === null) return null;
    try {
      const { memory, imports: env } = imports();
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), env);
      this.loaded = { exports: instance.exports as unknown as E, memory };
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      void this.load();
      return null;
    }
    return this.loaded;
  }

  /**
   * Compiles and instantiates the module asynchronously, as browsers require on their main
   * thread. Resolves when {@link EmbeddedModule.instance} returns it (or `null` for a runtime
   * without WebAssembly SIMD); rejects only if the runtime fails to compile a module it validated.
   */
  load(): Promise<void> {
    if (this.loaded !== undefined) return Promise.resolve();
    if (this.loading === undefined) {
      const bytes = this.bytes();
      if (bytes === null) return Promise.resolve();
      const { memory, imports: env } = imports();
      this.loading = WebAssembly.instantiate(bytes, env).then(({ instance }) => {
        this.loaded = { exports: instance.exports as unknown as E, memory };
      });
    }
    return this.loading;
  }
}

/** Grows an instance's memory to at least `bytes` and returns a float view of all of it. */
export function reserve(instance: EmbeddedInstance<EmbeddedExports>, bytes: number): Float32Array {
  const have = instance.memory.buffer.byteLength;
  if (bytes > have) instance.memory.grow(Math.ceil((bytes - have) / PAGE));
  return new Float32Array(instance.memory.buffer);
}

/** The first free byte after an instance's own data and stack, 16-byte aligned. */
export function heapStart(instance: EmbeddedInstance<EmbeddedExports>): number {
  return align16(instance.exports.__heap_base.value as number);
}

/** `bytes` rounded up to a multiple of 16. */
export const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;
