// The view onto the infinite board: screen = (world - origin) * zoom.

import { clamp } from "./util.js";

export const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 8;

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
