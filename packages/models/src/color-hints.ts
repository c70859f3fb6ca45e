import { describeValue, invalid } from '@colorize/core';
import { AB_SCALE, labToRgbPixel, rgbToLabPixel } from '@colorize/lab';

/**
 * A user's colour hint: "this point of the photo has this colour". Only the colour's a and b
 * are used; L always comes from the photo.
 * @group Hints
 */
export interface ColorHint {
  /** Column in the photo's own pixels, 0-based, left to right: in [0, width − 1]. */
  x: number;
  /** Row in the photo's own pixels, 0-based, top to bottom: in [0, height − 1]. */
  y: number;
  /** The colour: `'#rrggbb'` (or `'#rgb'`), or 8-bit sRGB `[r, g, b]` in [0, 255]. */
  color: string | readonly [number, number, number];
  /** Half the side of the square the hint covers, in photo pixels, > 0. Defaults to 2. */
  radius?: number;
}

/** The default {@link ColorHint.radius}, in photo pixels. @group Hints */
export const DEFAULT_HINT_RADIUS = 2;

/**
 * A hint colour's CIELAB a and b (D65, scikit-image exact), from `'#rrggbb'`, `'#rgb'` or
 * 8-bit `[r, g, b]`.
 *
 * @param where - names the hint in the error, e.g. `'hints[2].color'`.
 * @returns `[a, b]` in CIELAB units, about [−128, 127].
 * @throws {@link @colorize/core!ColorizeError} `INVALID_OPTION` for anything else.
 * @group Hints
 */
export function hintColorToAb(color: unknown, fn = 'hintColorToAb', where = 'color'): [number, number] {
  let rgb: number[] | undefined;
  if (typeof color === 'string') {
    const m = /^#([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(color);
    if (m) {
      const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
      rgb = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
    }
  } else if (Array.isArray(color) && color.length === 3 && color.every((c) => typeof c === 'number' && Number.isFinite(c) && c >= 0 && c <= 255)) {
    rgb = color as number[];
  }
  if (rgb === undefined) throw invalid('INVALID_OPTION', fn, `${where} as "#rrggbb" or [r, g, b] in [0, 255]`, describeValue(color));
  const [, a, b] = rgbToLabPixel([rgb[0]! / 255, rgb[1]! / 255, rgb[2]! / 255]);
  return [a, b];
}

/** Checks a list of hints against a photo's size; the message names the entry. */
export function assertHints(fn: string, hints: unknown, width: number, height: number): readonly ColorHint[] {
  if (!Array.isArray(hints)) throw invalid('INVALID_OPTION', fn, 'hints as an array of { x, y, color, radius? }', describeValue(hints));
  hints.forEach((h: unknown, i) => {
    const at = `hints[${i}]`;
    if (typeof h !== 'object' || h === null) throw invalid('INVALID_OPTION', fn, `${at} as { x, y, color, radius? }`, describeValue(h));
    const { x, y, radius } = h as Partial<ColorHint>;
    const extra = Object.keys(h).find((k) => !['x', 'y', 'color', 'radius'].includes(k));
    if (extra !== undefined) throw invalid('INVALID_OPTION', fn, `${at} to have only x, y, color and radius`, `a key "${extra}"`);
    if (typeof x !== 'number' || !(x >= 0 && x <= width - 1)) throw invalid('INVALID_OPTION', fn, `${at}.x in [0, ${width - 1}] (the photo is ${width}×${height})`, describeValue(x));
    if (typeof y !== 'number' || !(y >= 0 && y <= height - 1)) throw invalid('INVALID_OPTION', fn, `${at}.y in [0, ${height - 1}] (the photo is ${width}×${height})`, describeValue(y));
    if (radius !== undefined && (typeof radius !== 'number' || !(radius > 0 && radius < Math.max(width, height)))) {
      throw invalid('INVALID_OPTION', fn, `${at}.radius in (0, ${Math.max(width, height)}) photo pixels`, describeValue(radius));
    }
    hintColorToAb((h as ColorHint).color, fn, `${at}.color`);
  });
  return hints as readonly ColorHint[];
}

/**
 * Draws hints given in a photo's own pixels into a hint model's extra input channels at the
 * render size: `[hint a, hint b, mask]` per pixel, ab in model space (/ 110), mask 1 under a hint.
 * The photo is resized to `side × side` with corners aligned (as `colorizeImage` resizes L), so
 * pixel x maps to `x · (side − 1) / (width − 1)`; each hint covers the square of half-side
 * `radius` mapped the same way (at least its one pixel). A later hint overwrites an earlier one.
 *
 * @param hints - checked: coordinates inside the photo, colours valid.
 * @returns a `Float32Array` of `side · side · 3` values, row-major, channels last.
 * @throws {@link @colorize/core!ColorizeError} `INVALID_OPTION` naming the bad hint.
 * @group Hints
 */
export function rasterizeHints(hints: readonly ColorHint[], photo: { width: number; height: number }, side: number, fn = 'rasterizeHints'): Float32Array {
  const { width, height } = photo;
  assertHints(fn, hints, width, height);
  const out = new Float32Array(side * side * 3);
  const sx = width > 1 ? (side - 1) / (width - 1) : 0;
  const sy = height > 1 ? (side - 1) / (height - 1) : 0;
  for (const [i, h] of hints.entries()) {
    const [a, b] = hintColorToAb(h.color, fn, `hints[${i}].color`);
    const r = h.radius ?? DEFAULT_HINT_RADIUS;
    const cx = Math.round(h.x * sx);
    const cy = Math.round(h.y * sy);
    const rx = Math.floor(r * sx);
    const ry = Math.floor(r * sy);
    for (let y = Math.max(0, cy - ry); y <= Math.min(side - 1, cy + ry); y += 1) {
      for (let x = Math.max(0, cx - rx); x <= Math.min(side - 1, cx + rx); x += 1) {
        const j = (y * side + x) * 3;
        out[j] = a / AB_SCALE;
        out[j + 1] = b / AB_SCALE;
        out[j + 2] = 1;
      }
    }
  }
  return out;
}

/**
 * Gives each hint's square of a colorized photo the hint's colour exactly, as the user asked:
 * every pixel within `radius` of (x, y) keeps its own L and takes the hint's a and b (sRGB
 * clipped where that colour is outside the gamut at that L). Later hints paint over earlier ones.
 * In place.
 *
 * @param data - the colorized photo, 8-bit RGB or RGBA, `width × height × channels` bytes.
 * @param hints - checked hints in its pixels (see {@link assertHints}).
 * @group Hints
 */
export function paintHints(data: Uint8Array | Uint8ClampedArray, photo: { width: number; height: number; channels: 3 | 4 }, hints: readonly ColorHint[]): void {
  const { width, height, channels } = photo;
  for (const h of hints) {
    const [a, b] = hintColorToAb(h.color, 'paintHints');
    const r = h.radius ?? DEFAULT_HINT_RADIUS;
    for (let y = Math.max(0, Math.ceil(h.y - r)); y <= Math.min(height - 1, Math.floor(h.y + r)); y += 1) {
      for (let x = Math.max(0, Math.ceil(h.x - r)); x <= Math.min(width - 1, Math.floor(h.x + r)); x += 1) {
        const i = (y * width + x) * channels;
        const [L] = rgbToLabPixel([data[i]! / 255, data[i + 1]! / 255, data[i + 2]! / 255]);
        const rgb = labToRgbPixel([L, a, b], { clip: true });
        for (let c = 0; c < 3; c += 1) data[i + c] = Math.round(rgb[c]! * 255);
      }
    }
  }
}
