// Checks every built package the way a consumer's tools see it: publint (package.json and
// files) and @arethetypeswrong/cli (types under node10, node16 CJS and ESM, and bundlers).
// Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const bin = (name) => join('node_modules', '.bin', name);
let failed = false;
for (const name of readdirSync('packages')) {
  const dir = join('packages', name);
  for (const [tool, args] of [
    ['publint', [dir, '--strict']],
    ['attw', ['--pack', dir, '--format', 'table-flipped']],
  ]) {
    try {
      const out = execFileSync(bin(tool), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      process.stdout.write(`${tool} ${dir}: ok\n`);
      if (/warning|error/i.test(out) && tool === 'publint') process.stdout.write(out);
    } catch (err) {
      failed = true;
      process.stdout.write(`${tool} ${dir}: FAILED\n${err.stdout ?? ''}${err.stderr ?? ''}\n`);
    }
  }
}
process.exit(failed ? 1 : 0);
