import type { EmbeddedExports, EmbeddedInstance } from './embedded-module.js';

/**
 * Runs an embedded module's function on several threads at once, in Node: helper threads
 * (`worker_threads`) each instantiate the module on its shared memory with a stack of their
 * own, then wait on a shared control word. {@link KernelThreads.run} calls one function on every
 * thread with the same arguments and the thread's number (0 for the caller), and returns when all
 * are done; the function shares out the work itself (`wino_blocks` takes blocks of tiles from an
 * atomic counter, so a thread slowed by others on its core takes fewer).
 *
 * The caller blocks in `Atomics.wait`, which Node allows on its main thread and browsers do
 * not; browsers run colorize's kernels on one thread.
 */

/** What a module run on several threads exports: its stack pointer, which each thread sets. */
export interface ThreadedExports extends EmbeddedExports {
  __stack_pointer: WebAssembly.Global;
}

/** The stack the module was linked with: a slot per thread (the generated file's constants). */
export interface StackSlots {
  slotBytes: number;
  slots: number;
}

// The control words: a job's number, the helpers still on it, whether one failed, the function
// (an index into the names; -1 stops the helpers), its argument count, then its arguments.
const SEQ = 0;
const PENDING = 1;
const FAILED = 2;
const FUNCTION = 3;
const ARGC = 4;
const ARGS = 5;
const MAX_ARGS = 16;

// A CommonJS script for `new Worker(…, { eval: true })`, so that no file beside the bundle is needed.
const HELPER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, control, names, thread, stackPointer } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
k.__stack_pointer.value = stackPointer;
const c = new Int32Array(control);
parentPort.postMessage('ready');
for (let seq = 0; ; ) {
  Atomics.wait(c, ${SEQ}, seq);
  seq = Atomics.load(c, ${SEQ});
  const name = names[c[${FUNCTION}]];
  if (name === undefined) break;
  try {
    k[name](...c.subarray(${ARGS}, ${ARGS} + c[${ARGC}]), thread);
  } catch {
    Atomics.store(c, ${FAILED}, 1);
  }
  if (Atomics.sub(c, ${PENDING}, 1) === 1) Atomics.notify(c, ${PENDING});
}
`;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  once(event: 'message' | 'error', listener: (value: unknown) => void): void;
}
type WorkerThreads = { Worker: new (source: string, options: Record<string, unknown>) => NodeWorker };

/** One module's functions running on the calling thread and helper threads. */
export class KernelThreads<E extends ThreadedExports> {
  private closed = false;

  private constructor(
    private readonly instance: EmbeddedInstance<E>,
    private readonly names: readonly string[],
    private readonly workers: NodeWorker[],
    private readonly control: Int32Array,
  ) {}

  /**
   * Starts `helpers` helper threads for a module instantiated on a shared memory, ready when the
   * promise resolves.
   *
   * @param instance - the module in this thread; its memory must be shared ({@link EmbeddedInstance.shared}).
   * @param names - the functions {@link KernelThreads.run} may call.
   * @param helpers - threads besides the calling one: 1 to `stack.slots − 1`.
   * @param stack - the module's stack slots; thread t's stack starts t slots below the caller's.
   * @param workerThreads - Node's `node:worker_threads`.
   */
  static async start<E extends ThreadedExports>(instance: EmbeddedInstance<E>, names: readonly string[], helpers: number,
    stack: StackSlots, workerThreads: unknown): Promise<KernelThreads<E>> {
    if (!instance.shared) throw new Error('KernelThreads: the module\'s memory is not shared');
    if (!Number.isInteger(helpers) || helpers < 1 || helpers >= stack.slots) {
      throw new Error(`KernelThreads: helpers must be an integer from 1 to ${stack.slots - 1}, not ${helpers}`);
    }
    const control = new Int32Array(new SharedArrayBuffer(4 * (ARGS + MAX_ARGS)));
    // Between calls the caller's stack pointer is where its stack starts.
    const top = instance.exports.__stack_pointer.value as number;
    const { Worker } = workerThreads as WorkerThreads;
    const workers: NodeWorker[] = [];
    try {
      await Promise.all(Array.from({ length: helpers }, (_, i) => {
        const worker = new Worker(HELPER_SOURCE, {
          eval: true,
          workerData: {
            module: instance.module, memory: instance.memory, control: control.buffer, names,
            thread: i + 1, stackPointer: top - (i + 1) * stack.slotBytes,
          },
        });
        workers.push(worker);
        // Helpers never hold the process open: they only work while the caller waits on them.
        worker.unref();
        return new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
        });
      }));
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    return new KernelThreads(instance, names, workers, control);
  }

  /** The threads that run each call: the helpers and the calling thread. */
  get count(): number {
    return this.closed ? 1 : this.workers.length + 1;
  }

  /**
   * Calls `name(...args, thread)` on every thread (the caller is thread 0), and returns when all
   * have returned. Arguments are 32-bit integers (pointers and sizes).
   */
  run(name: string, args: readonly number[]): void {
    const k = this.instance.exports as unknown as Record<string, (...a: number[]) => void>;
    if (this.closed) {
      k[name]!(...args, 0);
      return;
    }
    const c = this.control;
    const index = this.names.indexOf(name);
    if (index < 0 || args.length > MAX_ARGS) throw new Error(`KernelThreads.run: ${name} with ${args.length} arguments`);
    c[FUNCTION] = index;
    c[ARGC] = args.length;
    c.set(args, ARGS);
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, PENDING, this.workers.length);
    Atomics.add(c, SEQ, 1);
    Atomics.notify(c, SEQ);
    try {
      k[name]!(...args, 0);
    } finally {
      for (let pending = Atomics.load(c, PENDING); pending !== 0; pending = Atomics.load(c, PENDING)) {
        Atomics.wait(c, PENDING, pending);
      }
    }
    if (Atomics.load(c, FAILED) !== 0) throw new Error(`KernelThreads.run: ${name} failed on a helper thread`);
  }

  /** Stops the helpers; later calls run on the calling thread alone. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, FUNCTION, -1);
    Atomics.add(this.control, SEQ, 1);
    Atomics.notify(this.control, SEQ);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
