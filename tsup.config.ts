import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

import { defineConfig } from 'tsup';
import type { Options } from 'tsup';

/**
 * One build for every package: ESM + CJS + .d.ts/.d.cts from each `src/index*.ts` (and the CLI's
 * `src/bin.ts`) into the package's `dist/`. Everything a package depends on stays external:
 * tfjs must be the one copy the user installed (bundling it breaks the wasm file lookup and
 * registers kernels twice), and sibling packages are imported through their public entry.
 */
const packages = readdirSync('packages').filter((name) => existsSync(join('packages', name, 'package.json')));

function configsFor(name: string): Options[] {
  const dir = join('packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const entry = readdirSync(join(dir, 'src'))
    .filter((f) => /^index(\.[a-z]+)?\.ts$/.test(f))
    .map((f) => join(dir, 'src', f));
  const bin = join(dir, 'src', 'bin.ts');
  // Worker-thread scripts (`*.worker.ts`) are built beside the executable, or beside the
  // library's entries in a package without one.
  const workers = readdirSync(join(dir, 'src'))
    .filter((f) => f.endsWith('.worker.ts'))
    .map((f) => join(dir, 'src', f));
  const external = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
    ...builtinModules,
    /^node:/,
    /^@tensorflow\//,
    /^@colorize\//,
  ];
  const library: Options = {
    name,
    entry,
    outDir: join(dir, 'dist'),
    tsconfig: join(dir, 'tsconfig.json'),
    format: ['esm', 'cjs'],
    target: 'es2022',
    platform: 'neutral',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: false,
    // import.meta.url in the CJS builds (the demo photos are found from the module file).
    shims: true,
    external,
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.js' }),
  };
  if (!existsSync(bin)) return [{ ...library, entry: [...entry, ...workers] }];
  // An executable is ESM only (it may use top-level await) and has no types.
  return [library, { ...library, name: `${name}-bin`, entry: [bin, ...workers], format: ['esm'], dts: false, clean: false }];
}

export default defineConfig(packages.flatMap(configsFor));
