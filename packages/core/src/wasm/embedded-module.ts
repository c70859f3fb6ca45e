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
  /** The compiled module, which other threads instantiate on a shared {@link EmbeddedInstance.memory}. */
  module: WebAssembly.Module;
  /**
   * Whether {@link EmbeddedInstance.memory} is shared, so that other threads can run the module
   * on it: for modules linked with a shared memory (`--shared-memory`), where the runtime shares
   * memory (Node, workers, cross-origin-isolated pages).
   */
  shared: boolean;
}

const PAGE = 65536;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** An unsigned LEB128 number at `at`: its value and the index after it. */
function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, at];
    scale *= 128;
  }
}

/** The limits of a module's imported memory: where its flags byte lies, its flags, its pages. */
interface MemoryImport {
  flagsAt: number;
  flags: number;
  initial: number;
  maximum: number | undefined;
}

/** The memory a module imports (its import section's one memory), or `null` where it imports none. */
export function memoryImport(bytes: Uint8Array): MemoryImport | null {
  for (let at = 8; at < bytes.length;) {
    const id = bytes[at]!;
    const [size, body] = leb(bytes, at + 1);
    at = body + size;
    if (id !== 2) continue;
    let [count, p] = leb(bytes, body);
    for (; count > 0; count -= 1) {
      for (const _name of ['module', 'field']) {
        const [length, next] = leb(bytes, p);
        p = next + length;
      }
      const kind = bytes[p++]!;
      if (kind === 0) [, p] = leb(bytes, p); // a function: its type
      else if (kind === 3) p += 2; // a global: its type and mutability
      else {
        if (kind === 1) p += 1; // a table: its element type, then limits
        const flagsAt = p;
        const flags = bytes[p++]!;
        let initial: number;
        let maximum: number | undefined;
        [initial, p] = leb(bytes, p);
        if ((flags & 1) !== 0) [maximum, p] = leb(bytes, p);
        if (kind === 2) return { flagsAt, flags, initial, maximum };
      }
    }
  }
  return null;
}

const SHARED = 2;

/**
 * The memory to instantiate a module with: shared where the module was linked with a shared
 * memory and the runtime can share one; otherwise not shared, and the module's bytes rewritten to
 * import it so (the same code: its atomic operations are valid on unshared memory).
 */
function imports(bytes: Uint8Array<ArrayBuffer>, share: boolean): { memory: WebAssembly.Memory; imports: WebAssembly.Imports; shared: boolean } {
  const limits = memoryImport(bytes);
  const initial = limits?.initial ?? 1;
  const maximum = limits?.maximum;
  let memory: WebAssembly.Memory | undefined;
  if (limits !== null && (limits.flags & SHARED) !== 0) {
    try {
      if (share) memory = new WebAssembly.Memory({ initial, maximum: maximum!, shared: true });
    } catch {
      // Browsers share memory only on cross-origin-isolated pages.
    }
    if (memory === undefined) bytes[limits.flagsAt] = limits.flags & ~SHARED;
  }
  const shared = memory !== undefined;
  memory ??= new WebAssembly.Memory({ initial, ...(maximum === undefined ? {} : { maximum }) });
  return { memory, imports: { env: { memory } }, shared };
}

/** One embedded module, instantiated at most once per thread. */
export class EmbeddedModule<E extends EmbeddedExports> {
  /** `undefined`: not loaded yet; `null`: this runtime cannot run it (no WebAssembly SIMD). */
  private loaded: EmbeddedInstance<E> | null | undefined;
  private loading: Promise<void> | undefined;

  /**
   * @param base64 - the module's bytes, base64 (a generated `*.wasm.ts` file's `MODULE_BASE64`).
   * @param share - whether to give a module linked with a shared memory a shared one where the
   *   runtime can; `false` unshares it everywhere (as where the runtime cannot). Defaults to true.
   */
  constructor(private readonly base64: string, private readonly share = true) {}

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
      const { memory, imports: env, shared } = imports(bytes, this.share);
      const module = new WebAssembly.Module(bytes);
      const instance = new WebAssembly.Instance(module, env);
      this.loaded = { exports: instance.exports as unknown as E, memory, module, shared };
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
      const { memory, imports: env, shared } = imports(bytes, this.share);
      this.loading = WebAssembly.instantiate(bytes, env).then(({ module, instance }) => {
        this.loaded = { exports: instance.exports as unknown as E, memory, module, shared };
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
