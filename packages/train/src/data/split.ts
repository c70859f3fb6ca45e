import { describeValue, invalid } from '@colorize/core';

import { SeededRandom } from '../random.js';

/** Which part of a dataset: the seed's 70 / 15 / 15 split, or everything. @group Data */
export type Split = 'train' | 'validation' | 'test' | 'all';

/** The seed's split fractions. */
export const SPLIT_FRACTIONS = { train: 0.7, validation: 0.15 } as const;

/**
 * The files of one split. The names are sorted (code-point order), shuffled with the seed, then
 * the first ⌊0.7·n⌋ are train, the next ⌊0.15·n⌋ validation and the rest test; so the split
 * depends only on the names and the seed, on every machine. For Flowers102's 8,189 images:
 * 5,732 / 1,228 / 1,229.
 *
 * @param names - file names (or relative paths); their order does not matter.
 * @param split - which part.
 * @param seed - the shuffle's seed. Defaults to 0.
 * @param fn - the public function to name in errors. Defaults to `'splitFiles'`.
 * @group Data
 */
export function splitFiles(names: readonly string[], split: Split, seed = 0, fn = 'splitFiles'): string[] {
  if (!['train', 'validation', 'test', 'all'].includes(split)) {
    throw invalid('INVALID_OPTION', fn, 'split "train", "validation", "test" or "all"', describeValue(split));
  }
  if (!Number.isInteger(seed)) throw invalid('INVALID_OPTION', fn, 'seed to be an integer', describeValue(seed));
  const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (split === 'all') return sorted;
  const shuffled = new SeededRandom(seed).shuffle(sorted);
  const nTrain = Math.floor(SPLIT_FRACTIONS.train * shuffled.length);
  const nVal = Math.floor(SPLIT_FRACTIONS.validation * shuffled.length);
  if (split === 'train') return shuffled.slice(0, nTrain);
  if (split === 'validation') return shuffled.slice(nTrain, nTrain + nVal);
  return shuffled.slice(nTrain + nVal);
}
