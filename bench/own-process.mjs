// One benchmark case per Node process: a fresh wasm heap for each, so one case's allocations
// neither slow nor (past 4 GB) break the next.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs the suite file at `moduleUrl` with `args` in a new Node process and returns the JSON it printed last. */
export function runInOwnProcess(moduleUrl, args, env = {}) {
  const out = execFileSync(process.execPath, [fileURLToPath(moduleUrl), ...args.map(String)], { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, ...env } });
  return JSON.parse(out.trim().split('\n').pop());
}

/** When the suite file at `moduleUrl` is the process's main script: runs `measure(argv)` and prints its JSON. */
export async function whenMain(moduleUrl, measure) {
  if (process.argv[1] === fileURLToPath(moduleUrl)) {
    process.stdout.write(`${JSON.stringify(await measure(process.argv.slice(2)))}\n`);
  }
}
