// The view onto the infinite board: screen = (world - origin) * zoom. `fitView` and
// `revealView` are the pure maths of fitting a world rectangle into a part of the screen
// (the free area, freearea.js) with a readable floor (readable.js); unit-tested in Node.

import { clamp } from "./util.js";

export const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 8;

/**
 * The camera {x, y, zoom} that shows world rectangle `b` in `area` (screen px from the
 * canvas' top-left: {x, y, w, h}), `margin` px inside it. The zoom fits `b` (at most
 * `maxFit`) but is never below `floor` (itself at most `maxZoom`). When `b` is then too
 * big for the area, `anchor: "start"` shows its top-left corner (where a template puts
 * its title and instructions; the rest is a pan away), `"center"` its middle.
 */
export function fitView(b, area, { margin = 40, maxFit = 1, floor = 0, maxZoom = 1.5, anchor = "center" } = {}) {
  const room = (n) => Math.max(n - 2 * margin, 1);
  const fit = Math.min(room(area.w) / Math.max(b.w, 1), room(area.h) / Math.max(b.h, 1));
  const zoom = clamp(Math.max(Math.min(fit, maxFit), Math.min(floor, maxZoom)), MIN_ZOOM, MAX_ZOOM);
  // Where b's near edge goes on screen along one axis, and so the camera's origin there.
  const origin = (start, length, b0, bLength) => {
    const size = bLength * zoom;
    const fits = size <= room(length) + 0.5;
    const at = fits || anchor === "center" ? start + (length - size) / 2 : start + margin;
    return b0 - at / zoom;
  };
  return { x: origin(area.x, area.w, b.x, b.w), y: origin(area.y, area.h, b.y, b.h), zoom };
}

/**
 * The least change to camera `cam` ({x, y, zoom}) that puts world rectangle `b` inside
 * `area` with `margin`: a pan when it fits at this zoom, else zooming out to fit it (never
 * in). Returns `cam` itself when `b` is already in view.
 */
export function revealView(b, area, cam, margin = 24) {
  const z = cam.zoom;
  if (b.w * z > area.w - 2 * margin || b.h * z > area.h - 2 * margin) return fitView(b, area, { margin, maxFit: z });
  const shift = (start, length, b0, bLength, c) => {
    const s0 = (b0 - c) * z;
    const s1 = s0 + bLength * z;
    if (s0 < start + margin) return (s0 - start - margin) / z;
    if (s1 > start + length - margin) return (s1 - start - length + margin) / z;
    return 0;
  };
  const dx = shift(area.x, area.w, b.x, b.w, cam.x);
  const dy = shift(area.y, area.h, b.y, b.h, cam.y);
  return dx || dy ? { x: cam.x + dx, y: cam.y + dy, zoom: z } : cam;
}

export class Camera extends EventTarget {
  constructor() {
    super();
    this.x = 0;
    this.y = 0;
    this.zoom = 1;
    this.width = 800;
    this.height = 600;
  }

  toWorld(sx, sy) {
    return { x: sx / this.zoom + this.x, y: sy / this.zoom + this.y };
  }

  toScreen(wx, wy) {
    return { x: (wx - this.x) * this.zoom, y: (wy - this.y) * this.zoom };
  }

  visible() {
    return { x: this.x, y: this.y, w: this.width / this.zoom, h: this.height / this.zoom };
  }

  center() {
    return { x: this.x + this.width / 2 / this.zoom, y: this.y + this.height / 2 / this.zoom };
  }

  _changed() {
    this.dispatchEvent(new Event("change"));
  }

  panBy(dxScreen, dyScreen) {
    this.x -= dxScreen / this.zoom;
    this.y -= dyScreen / this.zoom;
    this._changed();
  }

  /** Zoom to `zoom`, keeping the world point under screen (sx, sy) in place. */
  zoomAt(zoom, sx = this.width / 2, sy = this.height / 2) {
    const z = clamp(zoom, MIN_ZOOM, MAX_ZOOM);
    const before = this.toWorld(sx, sy);
    this.zoom = z;
    this.x = before.x - sx / z;
    this.y = before.y - sy / z;
    this._changed();
  }

  /** Show the world rectangle `b` with a margin. */
  fit(b, margin = 60, maxZoom = 1.5) {
    if (!b) {
      this.set(-this.width / 2, -this.height / 2, 1);
      return;
    }
    const zx = (this.width - margin * 2) / Math.max(b.w, 1);
    const zy = (this.height - margin * 2) / Math.max(b.h, 1);
    const z = clamp(Math.min(zx, zy, maxZoom), MIN_ZOOM, MAX_ZOOM);
    this.set(b.x + b.w / 2 - this.width / 2 / z, b.y + b.h / 2 - this.height / 2 / z, z);
  }

  /** Go to a {x, y, zoom} from fitView or revealView. */
  go(v) {
    if (v !== this) this.set(v.x, v.y, v.zoom);
  }

  centerOn(p) {
    this.set(p.x - this.width / 2 / this.zoom, p.y - this.height / 2 / this.zoom, this.zoom);
  }

  set(x, y, zoom) {
    this.x = x;
    this.y = y;
    this.zoom = clamp(zoom, MIN_ZOOM, MAX_ZOOM);
    this._changed();
  }
}
