// Pen: freehand strokes, thinned and smoothed before they are sent. Eraser: removes
// strokes it touches (one undoable step per gesture).

import { hit } from "../geometry.js";
import { MAX_PATH_POINTS } from "../model.generated.js";

/** Drop points closer than `minDist`, then simplify (Ramer-Douglas-Peucker). */
export function simplify(points, tolerance) {
  if (points.length < 3) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop();
    const [ax, ay] = points[a], [bx, by] = points[b];
    const dx = bx - ax, dy = by - ay;
    const len = Math.hypot(dx, dy) || 1;
    let max = 0, index = -1;
    for (let i = a + 1; i < b; i++) {
      const d = Math.abs(dy * points[i][0] - dx * points[i][1] + bx * ay - by * ax) / len;
      if (d > max) {
        max = d;
        index = i;
      }
    }
    if (max > tolerance && index > 0) {
      keep[index] = 1;
      stack.push([a, index], [index, b]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

export class PenTool {
  constructor(ctx) {
    this.ctx = ctx;
    this.name = "pen";
    this.cursor = "crosshair";
    this.points = null;
  }

  down(e, p) {
    this.points = [[p.x, p.y]];
    this.ctx.ui.draft = { kind: "path", points: this.points, color: this.ctx.ui.inkColor, width: 3 };
  }

  move(e, p) {
    if (!this.points) return;
    const last = this.points[this.points.length - 1];
    if (Math.hypot(p.x - last[0], p.y - last[1]) * this.ctx.camera.zoom < 2) return;
    this.points.push([p.x, p.y]);
    this.ctx.renderer.request();
  }

  up() {
    const { ctx } = this;
    const pts = this.points;
    this.points = null;
    ctx.ui.draft = null;
    if (!pts) return;
    const simple = simplify(pts, 0.8 / ctx.camera.zoom).slice(0, MAX_PATH_POINTS);
    let x0 = Infinity, y0 = Infinity;
    for (const [x, y] of simple) {
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
    }
    const round = (v) => Math.round(v * 10) / 10;
    ctx.actions.create(
      {
        kind: "path",
        x: round(x0),
        y: round(y0),
        points: simple.map(([x, y]) => [round(x - x0), round(y - y0)]),
        color: ctx.ui.inkColor,
        width: 3,
      },
      { select: false },
    );
    ctx.renderer.request();
  }

  cancel() {
    this.points = null;
    this.ctx.ui.draft = null;
  }
}

export class EraserTool {
  constructor(ctx) {
    this.ctx = ctx;
    this.name = "eraser";
    this.cursor = "cell";
    this.active = false;
  }

  _touch(p) {
    const { ctx } = this;
    const tol = 6 / ctx.camera.zoom;
    for (const obj of ctx.store.sorted()) {
      if (obj.kind === "path" && !obj.locked && hit(obj, p, tol, ctx.lookup)) ctx.ui.erasing.add(obj.id);
    }
    ctx.renderer.request();
  }

  down(e, p) {
    this.active = true;
    this.ctx.ui.erasing = new Set();
    this._touch(p);
  }

  move(e, p) {
    if (this.active) this._touch(p);
  }

  up() {
    const { ctx } = this;
    if (!this.active) return;
    this.active = false;
    const ids = [...ctx.ui.erasing];
    ctx.ui.erasing = null;
    if (ids.length) ctx.actions.deleteIds(ids);
    ctx.renderer.request();
  }

  cancel() {
    this.active = false;
    this.ctx.ui.erasing = null;
  }
}
