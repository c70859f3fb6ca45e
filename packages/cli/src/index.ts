/**
 * The `colorize` command, and its entry point for programs that want to run it in-process.
 *
 * @example
 * ```sh
 * npx @colorize/cli backends
 * ```
 * @packageDocumentation
 */
export { probeBackends, run } from './run.js';
export type { BackendReport, CliIO } from './run.js';
