// The demo's hint editor: points on the colorized photo, each with a colour. Click to add a point
// (its colour starts as the one the model gives there, as Zhang et al. 2017's interface does),
// drag to move it, pick its colour, Delete (or the button) to remove it. Every change calls
// `onChange` with the hints in the photo's own pixels.
import type { ColorHint } from '@colorize/models';

/** A hint as the editor keeps it: position in photo pixels and `#rrggbb`. */
export interface EditorHint {
  x: number;
  y: number;
  color: string;
}

export interface HintEditorOptions {
  /** The colorized photo's canvas; the editor draws on an overlay canvas of the same size. */
  canvas: HTMLCanvasElement;
  overlay: HTMLCanvasElement;
  picker: HTMLInputElement;
  /** The colour the model gives at a photo pixel now, `#rrggbb`. */
  colorAt: (x: number, y: number) => string;
  onChange: (hints: ColorHint[]) => void;
}

/** How near (in CSS pixels) a click must be to a point to pick it instead of adding one. */
const PICK_RADIUS = 10;

export class HintEditor {
  readonly hints: EditorHint[] = [];
  selected = -1;
  enabled = false;
  private dragging = false;
  private moved = false;

  constructor(private readonly o: HintEditorOptions) {
    const { canvas, picker } = o;
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', () => this.up());
    canvas.addEventListener('pointerleave', () => this.up());
    picker.addEventListener('input', () => {
      const h = this.hints[this.selected];
      if (!h) return;
      h.color = picker.value;
      this.changed();
    });
    document.addEventListener('keydown', (e) => {
      if (this.enabled && (e.key === 'Delete' || e.key === 'Backspace') && document.activeElement?.tagName !== 'INPUT') this.remove();
    });
  }

  /** The hints as `colorizeImage` takes them. */
  colorHints(): ColorHint[] {
    return this.hints.map(({ x, y, color }) => ({ x, y, color }));
  }

  /** Removes the selected point. */
  remove(): void {
    if (this.selected < 0) return;
    this.hints.splice(this.selected, 1);
    this.selected = Math.min(this.selected, this.hints.length - 1);
    this.changed();
  }

  /** Removes every point. */
  clear(): void {
    this.reset();
    this.o.onChange([]);
  }

  /** Removes every point without reporting it (a new photo). */
  reset(): void {
    this.hints.length = 0;
    this.selected = -1;
    this.draw();
  }

  /** Draws the points over the photo: each a disc of its colour, the selected one ringed. */
  draw(): void {
    const { canvas, overlay } = this.o;
    overlay.width = canvas.width;
    overlay.height = canvas.height;
    overlay.style.width = `${canvas.clientWidth}px`;
    overlay.style.height = `${canvas.clientHeight}px`;
    const ctx = overlay.getContext('2d')!;
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    if (!this.enabled) return;
    const scale = canvas.width / Math.max(1, canvas.clientWidth);
    this.hints.forEach((h, i) => {
      ctx.beginPath();
      ctx.arc(h.x + 0.5, h.y + 0.5, 5 * scale, 0, 2 * Math.PI);
      ctx.fillStyle = h.color;
      ctx.fill();
      ctx.lineWidth = (i === this.selected ? 3 : 1.5) * scale;
      ctx.strokeStyle = i === this.selected ? '#fff' : '#000';
      ctx.stroke();
    });
  }

  private pixel(e: PointerEvent): { x: number; y: number } {
    const { canvas } = this.o;
    const rect = canvas.getBoundingClientRect();
    const x = Math.round(((e.clientX - rect.left) / rect.width) * canvas.width - 0.5);
    const y = Math.round(((e.clientY - rect.top) / rect.height) * canvas.height - 0.5);
    return { x: Math.min(canvas.width - 1, Math.max(0, x)), y: Math.min(canvas.height - 1, Math.max(0, y)) };
  }

  private down(e: PointerEvent): void {
    if (!this.enabled) return;
    const p = this.pixel(e);
    const scale = this.o.canvas.width / Math.max(1, this.o.canvas.clientWidth);
    const near = this.hints.findIndex((h) => Math.hypot(h.x - p.x, h.y - p.y) <= PICK_RADIUS * scale);
    if (near >= 0) {
      this.selected = near;
    } else {
      this.hints.push({ ...p, color: this.o.colorAt(p.x, p.y) });
      this.selected = this.hints.length - 1;
      this.moved = true;
    }
    this.o.picker.value = this.hints[this.selected]!.color;
    this.dragging = true;
    this.o.canvas.setPointerCapture?.(e.pointerId);
    this.draw();
  }

  private move(e: PointerEvent): void {
    if (!this.dragging || this.selected < 0) return;
    const p = this.pixel(e);
    const h = this.hints[this.selected]!;
    if (p.x === h.x && p.y === h.y) return;
    h.x = p.x;
    h.y = p.y;
    this.moved = true;
    this.draw();
  }

  private up(): void {
    if (!this.dragging) return;
    this.dragging = false;
    if (this.moved) this.changed();
    this.moved = false;
  }

  private changed(): void {
    this.draw();
    this.o.onChange(this.colorHints());
  }
}
