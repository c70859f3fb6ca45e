import * as tf from '@tensorflow/tfjs-core';

import { run } from './run.js';

// The command reports for itself; tfjs's "install tfjs-node" banner would only confuse its output.
tf.env().set('PROD', true);
process.exitCode = await run(process.argv.slice(2));
