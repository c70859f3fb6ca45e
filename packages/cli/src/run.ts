import { parseArgs } from 'node:util';

import { BACKEND_NAMES, ColorizeError, initBackend } from '@colorize/core';
import type { BackendName } from '@colorize/core';

import type { CliIO } from './io.js';
import { defaultIO } from './io.js';
import { colorizeCommand } from './commands/colorize.js';
import { demoCommand } from './commands/demo.js';
import { evalCommand } from './commands/evaluate.js';
import { train } from './commands/train.js';
import { UsageError } from './usage-error.js';

export type { CliIO } from './io.js';

const VERSION = '0.1.0';

const HELP = `colorize ${VERSION}: deep-learning colorization of black-and-white photos on TensorFlow.js

Usage:
  colorize <images|folders…>  colorize photos at full resolution (see colorize colorize --help)
  colorize demo                colorize the shipped demo photos with the shipped model, offline
  colorize eval --data <...>   PSNR, SSIM, colorfulness beside the grey baseline (--help)
  colorize train --data <...>  train the seed's model (L1, then WGAN-GP) (--help)
  colorize backends [--json]   which tfjs backends start on this machine, and why not
  colorize --version           print the version
  colorize --help              print this help

Environment:
  COLORIZE_BACKEND             the backend to use (${BACKEND_NAMES.join(', ')})
  COLORIZE_WASM_THREADS        threads of the wasm backend, 1 to 8 (default: every core, at most 8)
`;

/** One row of `colorize backends`. */
export interface BackendReport {
  backend: BackendName;
  available: boolean;
  reason?: string;
}

/** Tries every backend in turn and reports which start here. Ends on the default backend. */
export async function probeBackends(): Promise<BackendReport[]> {
  const reports: BackendReport[] = [];
  for (const backend of BACKEND_NAMES) {
    try {
      await initBackend({ backend, env: {} });
      reports.push({ backend, available: true });
    } catch (err) {
      if (!ColorizeError.isInstance(err)) throw err;
      reports.push({ backend, available: false, reason: err.message.replace(/^initBackend: backend "\w+" cannot start here: /, '') });
    }
  }
  await initBackend();
  return reports;
}

async function backends(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  const reports = await probeBackends();
  if (values.json) {
    io.out(`${JSON.stringify(reports, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...reports.map((r) => r.backend.length));
  for (const r of reports) {
    io.out(`${r.backend.padEnd(width)}  ${r.available ? 'yes' : `no   ${r.reason ?? ''}`}\n`);
  }
  return 0;
}

/**
 * Runs the `colorize` command with the given arguments (without `node` and the script).
 *
 * @returns the process exit code: 0 on success, 1 on a failure, 2 on a usage error.
 */
export async function run(argv: readonly string[], io: CliIO = defaultIO()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
        io.out(HELP);
        return 0;
      case '--version':
      case '-v':
        io.out(`${VERSION}\n`);
        return 0;
      case 'backends':
        return await backends(rest, io);
      case 'train':
        return await train(rest, io);
      case 'eval':
        return await evalCommand(rest, io);
      case 'demo':
        return await demoCommand(rest, io);
      case 'colorize':
        return await colorizeCommand(rest, io);
      default:
        if (command.startsWith('-') && command !== '-o') {
          io.err(`colorize: unknown option "${command}".\n\n${HELP}`);
          return 2;
        }
        // Anything else is an image or folder: colorize it.
        return await colorizeCommand(argv as string[], io);
    }
  } catch (err) {
    if (ColorizeError.isInstance(err)) {
      io.err(`colorize: ${err.message}\n`);
      return 1;
    }
    if (err instanceof UsageError) {
      io.err(`colorize: ${err.message}\n`);
      return 2;
    }
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      io.err(`colorize: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

