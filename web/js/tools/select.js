// Select tool: click, shift-click, marquee; drag to move (frames carry their contents);
// corner handles to resize boxes and pen strokes, rotated or not, and to scale a
// multi-selection as one. While dragging, others see the move live; the end of a drag
// is announced with the keyboard's strings.

import {
  MAX_SIZE,
  bounds,
  contains,
  groupBox,
  groupMembers,
  groupScaleRange,
  resizeBox,
  resizedTo,
  rotationOf,
  scaledGroup,
  sizeLimits,
  turn,
} from "../geometry.js";
import { clamp, throttle } from "../util.js";

const OPPOSITE = { nw: "se", ne: "sw", sw: "ne", se: "nw" };
const CURSORS = ["ew-resize", "nwse-resize", "ns-resize", "nesw-resize"];
// Drags that change the board: sent live, one undo step on release, undone by Escape.
const DRAGS = new Set(["move", "resize", "group"]);

/**
 * The resize box with the dragged corner moved by the pointer's travel, measured along
 * the object's own (unrotated) axes, so a turned object stretches the way its handle
 * is pulled. The opposite corner stays put (in these axes; resizedTo() keeps it on the board).
 */
function stretched(m, p, keepRatio) {
  const { box, corner, obj } = m;
  const d = turn({ x: p.x - m.start.x, y: p.y - m.start.y }, { x: 0, y: 0 }, -m.deg);
  const [minW, maxW] = sizeLimits(obj, box.w), [minH, maxH] = sizeLimits(obj, box.h);
  let x0 = box.x, y0 = box.y, x1 = box.x + box.w, y1 = box.y + box.h;
  if (corner.includes("w")) x0 = clamp(x0 + d.x, x1 - maxW, x1 - minW);
  else x1 = clamp(x1 + d.x, x0 + minW, x0 + maxW);
  if (corner.includes("n")) y0 = clamp(y0 + d.y, y1 - maxH, y1 - minH);
  else y1 = clamp(y1 + d.y, y0 + minH, y0 + maxH);
  const next = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  return keepRatio && box.w > 0 && box.h > 0 ? withRatio(next, box.w / box.h, corner) : next;
}

/** Box `b` grown along its short side to the ratio w/h `ratio`, away from the fixed corner. */
function withRatio(b, ratio, corner) {
  let { x, y, w, h } = b;
  if (w / h > ratio) {
    const nh = Math.min(w / ratio, MAX_SIZE);
    if (corner.includes("n")) y += h - nh;
    h = nh;
  } else {
    const nw = Math.min(h * ratio, MAX_SIZE);
    if (corner.includes("w")) x += w - nw;
    w = nw;
  }
  return { x, y, w, h };
}

/** The fields a resize changes, as they were: what undo (and Escape) put back. */
function resizeFields(obj) {
  if (obj.kind === "path") return { x: obj.x, y: obj.y, points: obj.points };
  return { x: obj.x, y: obj.y, w: obj.w, h: obj.h };
}

/**
 * The factor a group resize scales by with the pointer at `p`: the dragged corner of the
 * group's box moved by the pointer's travel, measured against the fixed corner in each
 * axis, and the larger of the two taken (as Excalidraw does), so the box keeps its
 * proportions and reaches the pointer. Never below 0 (no flipping), within the limits
 * of every object in the group (groupScaleRange()).
 */
function groupFactor(m, p) {
  const { box, corner, range } = m;
  const west = corner.includes("w"), north = corner.includes("n");
  const dx = (p.x - m.start.x) * (west ? -1 : 1), dy = (p.y - m.start.y) * (north ? -1 : 1);
  const sx = box.w >= 1 ? (box.w + dx) / box.w : -Infinity;
  const sy = box.h >= 1 ? (box.h + dy) / box.h : -Infinity;
  const s = Math.max(sx, sy);
  return clamp(Number.isFinite(s) ? s : 1, range[0], range[1]);
}

/**
 * The resize cursor for a handle: the diagonal it sits on, turned with the object and
 * snapped to the four cursors the browser has.
 */
function cursorFor(corner, deg) {
  const base = corner === "nw" || corner === "se" ? 45 : 135;
  const a = (((base + deg) % 180) + 180) % 180;
  return CURSORS[Math.round(a / 45) % 4];
}

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
          if (hd.group) {
            const members = groupMembers([...selection].map((id) => store.view.get(id)).filter(Boolean));
            const box = groupBox(members, ctx.lookup);
            this.mode = { kind: "group", corner: hd.corner, start: p, members, box, range: groupScaleRange(members) };
            return;
          }
          const obj = store.view.get([...selection][0]);
          this.mode = { kind: "resize", corner: hd.corner, start: p, obj, box: resizeBox(obj), deg: rotationOf(obj) };
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
      if (target.locked && !(selection.has(target.id) && selection.size > 1)) {
        // A locked object (a template's background) cannot move: a click selects it, a
        // drag from it draws a selection box, as on the empty board.
        selection.set([target.id]);
        this.mode = { kind: "marquee", start: p, base: [], from: target.id };
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
      // From a locked object, only a drag (not a click's jitter) replaces its selection.
      if (m.from && Math.hypot(p.x - m.start.x, p.y - m.start.y) * ctx.camera.zoom < 3) return;
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
    } else if (m.kind === "group") {
      m.patches = scaledGroup(m.members, m.box, OPPOSITE[m.corner], groupFactor(m, p));
      ctx.store.setPreview(m.patches);
      this.live();
    }
  }

  /** The update for a resize to pointer `p`: `{x, y, w, h}` for a box, `{x, y, points}` for a stroke. */
  _resized(m, p, keepRatio) {
    return resizedTo(m.obj, m.box, stretched(m, p, keepRatio || m.obj.kind === "image"), OPPOSITE[m.corner]);
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
    if (m.kind === "group" && m.patches) return [...m.patches].map(([id, set]) => ({ op: "update", id, set }));
    return [];
  }

  _inverse() {
    const m = this.mode;
    if (m.kind === "move") {
      const ops = [];
      for (const [id, obj] of m.originals) {
        const set = this.ctx.actions.moved(obj, 0, 0, { whole: false });
        if (Object.keys(set).length) ops.push({ op: "update", id, set });
      }
      return ops;
    }
    if (m.kind === "group") {
      // Each object's fields the resize sets, as they were (one undo step for all).
      const ops = [];
      for (const obj of m.members) {
        const keys = Object.keys(m.patches?.get(obj.id) || {});
        if (keys.length) ops.push({ op: "update", id: obj.id, set: Object.fromEntries(keys.map((k) => [k, obj[k]])) });
      }
      return ops;
    }
    return [{ op: "update", id: m.obj.id, set: resizeFields(m.obj) }];
  }

  _sendLive() {
    const ops = this._ops().filter((op) => this.ctx.store.view.has(op.id));
    if (ops.length) this.ctx.actions.commit(ops, { undoable: false });
  }

  up() {
    const m = this.mode;
    const { ctx } = this;
    this.live.cancel();
    if (m && DRAGS.has(m.kind)) {
      const ops = this._ops().filter((op) => ctx.store.view.has(op.id));
      if (ops.length) {
        ctx.conn.send(ops);
        ctx.undo.record(ops, this._inverse());
      }
      ctx.store.clearPreview();
      if (ops.length) this._announce(m, ops);
    }
    ctx.ui.marquee = null;
    this.mode = null;
    ctx.renderer.request();
  }

  cancel() {
    this.live.cancel();
    if (this.mode && DRAGS.has(this.mode.kind)) {
      const inv = this._inverse();
      // Put back what the live updates already moved.
      if (this.mode.moved || this.mode.patch || this.mode.patches) this.ctx.actions.commit(inv, { undoable: false });
    }
    this.ctx.store.clearPreview();
    this.ctx.ui.marquee = null;
    this.mode = null;
  }

  /**
   * Say where a drag ended, in the polite live region, with the keyboard's strings
   * (Actions.movedWords / resizedWords). A move counts the selected objects, not the
   * frame contents they carry.
   */
  _announce(m, ops) {
    const { ctx } = this;
    const ids = ops.map((op) => op.id);
    const selected = ids.filter((id) => ctx.selection.has(id));
    const words = m.kind === "move" ? ctx.actions.movedWords(selected.length ? selected : ids.slice(0, 1)) : ctx.actions.resizedWords(ids);
    if (words) ctx.announce(ctx.t(...words));
  }

  _hoverCursor(p) {
    const { renderer, camera, selection, store } = this.ctx;
    const tol = 8 / camera.zoom;
    for (const hd of renderer.handles()) {
      if (Math.abs(p.x - hd.x) <= tol && Math.abs(p.y - hd.y) <= tol) {
        const obj = hd.group ? null : store.get([...selection][0]);
        return cursorFor(hd.corner, obj ? rotationOf(obj) : 0);
      }
    }
    const target = this.ctx.pick(p);
    return target && !this.ctx.readOnly && !target.locked ? "move" : "default";
  }
}
