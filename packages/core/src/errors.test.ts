import { describe, expect, it, vi } from 'vitest';

import { ColorizeError, describeValue, invalid } from './errors.js';

describe('ColorizeError', () => {
  it('carries a code, a message and an optional cause', () => {
    const cause = new Error('disk full');
    const err = new ColorizeError('IO_ERROR', 'save: could not write.', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ColorizeError');
    expect(err.code).toBe('IO_ERROR');
    expect(err.message).toBe('save: could not write.');
    expect(err.cause).toBe(cause);
    expect(new ColorizeError('INVALID_RANGE', 'x').cause).toBeUndefined();
  });

  it('builds the house message "<fn>: expected <what>, got <actual>."', () => {
    const err = invalid('INVALID_SHAPE', 'rgbToLab', 'an image of shape [h, w, 3] or [b, h, w, 3]', '[2, 64, 64, 1]');
    expect(err.message).toBe('rgbToLab: expected an image of shape [h, w, 3] or [b, h, w, 3], got [2, 64, 64, 1].');
    expect(err.code).toBe('INVALID_SHAPE');
  });

  it('isInstance recognises errors of another copy of the module, where instanceof does not', async () => {
    vi.resetModules();
    const other = await import('./errors.js');
    expect(other.ColorizeError).not.toBe(ColorizeError);
    const foreign = new other.ColorizeError('INVALID_OPTION', 'm');
    expect(foreign instanceof ColorizeError).toBe(false);
    expect(ColorizeError.isInstance(foreign)).toBe(true);
    expect(other.ColorizeError.isInstance(new ColorizeError('INVALID_OPTION', 'm'))).toBe(true);
  });

  it('isInstance is false for other values', () => {
    for (const v of [new Error('x'), null, undefined, 'ColorizeError', { code: 'INVALID_SHAPE' }]) {
      expect(ColorizeError.isInstance(v)).toBe(false);
    }
  });
});

describe('describeValue', () => {
  it('formats values for messages', () => {
    expect(describeValue([2, 64, 64, 1])).toBe('[2, 64, 64, 1]');
    expect(describeValue('webgl')).toBe('"webgl"');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(new Map())).toBe('a Map');
    expect(describeValue({})).toBe('an object');
    expect(describeValue(Array.from({ length: 20 }, () => 0))).toBe('an array of 20');
  });
});
