// Select tool: click, shift-click, marquee; drag to move (frames carry their contents);
// corner handles to resize. While dragging, others see the move live.

import { bounds, contains } from "../geometry.js";
import { throttle } from "../util.js";

export class SelectTool {
  constructor(ctx) {
    this.ctx = ctx;
    this.name = "select";
    this.cursor = "default";
    this.mode = null;
    this.live = throttle(() => this._sendLive(), 120);
  }

  down(e, p) {
    const { ctx } = this;
    const { selection, renderer, camera, store, actions } = ctx;
    const tol = 6 / camera.zoom;
    if (!ctx.readOnly) {
      for (const hd of renderer.handles()) {
        if (Math.abs(p.x - hd.x) <= tol + 2 / camera.zoom && Math.abs(p.y - hd.y) <= tol + 2 / camera.zoom) {
          const obj = store.view.get([...selection][0]);
          this.mode = { kind: "resize", corner: hd.corner, start: p, obj };
          return;
        }
      }
    }
    const target = ctx.pick(p);
    if (target) {
      if (e.shiftKey) {
        selection.toggle(target.id);
        this.mode = null;
        return;
      }
      if (!selection.has(target.id)) selection.set([target.id]);
      if (ctx.readOnly) return;
      const ids = actions.withContents([...selection]);
      const originals = new Map(ids.map((id) => [id, store.view.get(id)]));
      this.mode = { kind: "move", start: p, originals, moved: false };
      return;
    }
    this.mode = { kind: "marquee", start: p, base: e.shiftKey ? [...selection] : [] };
    if (!e.shiftKey) selection.clear();
  }

  move(e, p) {
    const m = this.mode;
    if (!m) {
      this.ctx.canvas.style.cursor = this._hoverCursor(p);
      return;
    }
    const { ctx } = this;
    if (m.kind === "marquee") {
      const box = { x: Math.min(m.start.x, p.x), y: Math.min(m.start.y, p.y), w: Math.abs(p.x - m.start.x), h: Math.abs(p.y - m.start.y) };
      ctx.ui.marquee = box;
      const inside = ctx.store.sorted().filter((o) => contains(box, bounds(o, ctx.lookup))).map((o) => o.id);
      ctx.selection.set([...new Set([...m.base, ...inside])]);
      ctx.renderer.request();
    } else if (m.kind === "move") {
      const dx = p.x - m.start.x, dy = p.y - m.start.y;
      if (!m.moved && Math.hypot(dx, dy) * ctx.camera.zoom < 3) return;
      m.moved = true;
      m.dx = dx;
      m.dy = dy;
      const patches = new Map();
      for (const [id, obj] of m.originals) patches.set(id, ctx.actions.moved(obj, dx, dy));
      ctx.store.setPreview(patches);
      this.live();
    } else if (m.kind === "resize") {
      m.patch = this._resized(m, p, e.shiftKey);
      ctx.store.setPreview(new Map([[m.obj.id, m.patch]]));
      this.live();
    }
  }

  _resized(m, p, keepRatio) {
    const o = m.obj;
    let x0 = o.x, y0 = o.y, x1 = o.x + o.w, y1 = o.y + o.h;
    if (m.corner.includes("w")) x0 = Math.min(p.x, x1 - 20);
    if (m.corner.includes("e")) x1 = Math.max(p.x, x0 + 20);
    if (m.corner.includes("n")) y0 = Math.min(p.y, y1 - 20);
    if (m.corner.includes("s")) y1 = Math.max(p.y, y0 + 20);
    if (keepRatio || o.kind === "image") {
      const ratio = o.w / o.h;
      const w = x1 - x0, h = y1 - y0;
      if (w / h > ratio) {
        const nh = w / ratio;
        if (m.corner.includes("n")) y0 = y1 - nh;
        else y1 = y0 + nh;
      } else {
        const nw = h * ratio;
        if (m.corner.includes("w")) x0 = x1 - nw;
        else x1 = x0 + nw;
      }
    }
    return { x: Math.round(x0), y: Math.round(y0), w: Math.round(x1 - x0), h: Math.round(y1 - y0) };
  }

  _ops() {
    const m = this.mode;
    if (!m) return [];
    if (m.kind === "move" && m.moved) {
      const ops = [];
      for (const [id, obj] of m.originals) {
        const set = this.ctx.actions.moved(obj, m.dx, m.dy);
        if (Object.keys(set).length) ops.push({ op: "update", id, set });
      }
      return ops;
    }
    if (m.kind === "resize" && m.patch) return [{ op: "update", id: m.obj.id, set: m.patch }];
    return [];
  }

  _inverse() {
    const m = this.mode;
    if (m.kind === "move") {
      const ops = [];
      for (const [id, obj] of m.originals) {
        const set = this.ctx.actions.moved(obj, 0, 0);
        if (Object.keys(set).length) ops.push({ op: "update", id, set });
      }
      return ops;
    }
    const o = m.obj;
    return [{ op: "update", id: o.id, set: { x: o.x, y: o.y, w: o.w, h: o.h } }];
  }

  _sendLive() {
    const ops = this._ops().filter((op) => this.ctx.store.view.has(op.id));
    if (ops.length) this.ctx.actions.commit(ops, { undoable: false });
  }

  up() {
    const m = this.mode;
    const { ctx } = this;
    this.live.cancel();
    if (m && (m.kind === "move" || m.kind === "resize")) {
      const ops = this._ops().filter((op) => ctx.store.view.has(op.id));
      if (ops.length) {
        ctx.conn.send(ops);
        ctx.undo.record(ops, this._inverse());
        ctx.announceMove(ops.length);
      }
      ctx.store.clearPreview();
    }
    ctx.ui.marquee = null;
    this.mode = null;
    ctx.renderer.request();
  }

  cancel() {
    this.live.cancel();
    if (this.mode && (this.mode.kind === "move" || this.mode.kind === "resize")) {
      const inv = this._inverse();
      // Put back what the live updates already moved.
      if (this.mode.moved || this.mode.patch) this.ctx.actions.commit(inv, { undoable: false });
    }
    this.ctx.store.clearPreview();
    this.ctx.ui.marquee = null;
    this.mode = null;
  }

  _hoverCursor(p) {
    const { renderer, camera } = this.ctx;
    const tol = 8 / camera.zoom;
    for (const hd of renderer.handles()) {
      if (Math.abs(p.x - hd.x) <= tol && Math.abs(p.y - hd.y) <= tol)
        return hd.corner === "nw" || hd.corner === "se" ? "nwse-resize" : "nesw-resize";
    }
    const target = this.ctx.pick(p);
    return target && !this.ctx.readOnly && !target.locked ? "move" : "default";
  }
}
