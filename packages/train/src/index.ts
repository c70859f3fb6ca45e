/**
 * L1 pretraining and WGAN-GP training for colorization, with the data pipeline.
 *
 * Not yet released: training is tracked in issue 6, data in issue 7.
 *
 * @packageDocumentation
 */
export {};
