import * as tf from '@tensorflow/tfjs-core';

// tfjs prints a "you are running TensorFlow.js in Node.js" banner and kernel-registration
// warnings unless one of these flags is set; tests should show only test output.
tf.env().set('PROD', true);
