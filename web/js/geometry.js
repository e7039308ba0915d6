// Geometry of board objects: bounds, hit tests and where connectors meet objects.

import { RANGES } from "./model.generated.js";
import { BOX_KINDS } from "./schema.js";
import { clamp } from "./util.js";

const pathBoxes = new WeakMap();

function pathBox(obj) {
  let box = pathBoxes.get(obj.points);
  if (!box) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const [x, y] of obj.points) {
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x > x1) x1 = x;
      if (y > y1) y1 = y;
    }
    box = { x0, y0, x1, y1 };
    pathBoxes.set(obj.points, box);
  }
  const pad = (obj.width || 3) / 2;
  return { x: obj.x + box.x0 - pad, y: obj.y + box.y0 - pad, w: box.x1 - box.x0 + 2 * pad, h: box.y1 - box.y0 + 2 * pad };
}

export const center = (b) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

/** An object's rotation in degrees (connectors are never turned: their ends say where they go). */
export const rotationOf = (obj) => (obj.kind === "connector" ? 0 : Number(obj.rotation) || 0);

/** Point `p` turned by `deg` degrees about `c` (the way the canvas turns a rotated object). */
export function turn(p, c, deg) {
  if (!deg) return p;
  const a = (deg * Math.PI) / 180;
  const dx = p.x - c.x, dy = p.y - c.y;
  return { x: c.x + dx * Math.cos(a) - dy * Math.sin(a), y: c.y + dx * Math.sin(a) + dy * Math.cos(a) };
}

/**
 * The box a resize scales, unrotated, in world coordinates: a box kind's own box, a
 * stroke's points without its width (the pen's width stays when the stroke is scaled).
 * Its centre is the centre of bounds(), the point a rotated object turns about.
 */
export function resizeBox(obj) {
  if (obj.kind !== "path") return { x: obj.x, y: obj.y, w: obj.w, h: obj.h };
  const b = pathBox(obj);
  const pad = (obj.width || 3) / 2;
  return { x: b.x + pad, y: b.y + pad, w: b.w - 2 * pad, h: b.h - 2 * pad };
}

// The server's limits (server/domain/objects.py, via model.generated.js): larger values
// are refused. MIN_SIZE is the page's own: the smallest box a handle drags to.
const MIN_SIZE = 20;
export const MAX_SIZE = RANGES.w[1];
const MAX_COORD = RANGES.x[1];

const tenth = (v) => Math.round(v * 10) / 10;

/**
 * How far a side of the resize box may go in one axis: boxes keep at least 20 units;
 * a stroke smaller than that may keep its size (a short dash stays short), and a
 * straight stroke (under a unit across) is not stretched across at all, since scaling
 * nothing by anything gives nothing but noise.
 */
export function sizeLimits(obj, extent) {
  if (obj.kind !== "path") return [MIN_SIZE, MAX_SIZE];
  if (extent < 1) return [extent, extent];
  return [Math.min(MIN_SIZE, extent), MAX_SIZE];
}

/**
 * Box `box` resized towards `w` × `h` with its proportions kept, as an image's handles
 * keep them: scaled by whichever of w / box.w and h / box.h changes it more (so the
 * Alt+arrow key that widens an image by 10 units makes it taller by as much in
 * proportion, and the one that narrows it makes it shorter), within the server's limits
 * on both sides. The top-left corner stays; resizedTo() rounds to whole units.
 */
export function keptRatio(box, w, h) {
  if (!(box.w > 0 && box.h > 0)) return { ...box, w, h };
  const sw = w / box.w, sh = h / box.h;
  let s = Math.abs(Math.log(sw)) >= Math.abs(Math.log(sh)) ? sw : sh;
  const lo = Math.max(MIN_SIZE / box.w, MIN_SIZE / box.h);
  const hi = Math.min(MAX_SIZE / box.w, MAX_SIZE / box.h);
  s = clamp(s, Math.min(lo, 1), Math.max(hi, 1));
  return { ...box, w: box.w * s, h: box.h * s };
}

/** Corner `corner` ("nw", "se", ...) of box `b`, unrotated. */
function cornerOf(b, corner) {
  return { x: corner.includes("w") ? b.x : b.x + b.w, y: corner.includes("n") ? b.y : b.y + b.h };
}

/**
 * A rotated object turns about its box's centre, and that centre moves when the box
 * changes size: box `to` shifted so that corner `fixed` of `obj` stays where it was on
 * the board. Unrotated objects need no shift.
 */
function keepCorner(obj, from, to, fixed) {
  const deg = rotationOf(obj);
  if (!deg) return to;
  const was = turn(cornerOf(from, fixed), center(from), deg);
  const now = turn(cornerOf(to, fixed), center(to), deg);
  return { ...to, x: to.x + was.x - now.x, y: to.y + was.y - now.y };
}

/**
 * A stroke's points scaled from resize box `from` to box `to`, about `to`'s top-left
 * corner, as the update to send: the server's path has `x`, `y` and `points` (the
 * pen's width stays). Tenths of a unit, as the pen sends; the count never changes, so
 * it stays within the server's 5,000 points.
 */
function scaledPath(obj, from, to) {
  const sx = from.w ? to.w / from.w : 1, sy = from.h ? to.h / from.h : 1;
  const x = tenth(clamp(to.x, -MAX_COORD, MAX_COORD)), y = tenth(clamp(to.y, -MAX_COORD, MAX_COORD));
  const points = obj.points.map(([px, py]) => [
    tenth(to.x - x + (obj.x + px - from.x) * sx),
    tenth(to.y - y + (obj.y + py - from.y) * sy),
  ]);
  return { x, y, points };
}

/** A box's new place and size in whole units, within the server's limits. */
function roundedBox(b) {
  return {
    x: Math.round(clamp(b.x, -MAX_COORD, MAX_COORD)),
    y: Math.round(clamp(b.y, -MAX_COORD, MAX_COORD)),
    w: Math.round(b.w),
    h: Math.round(b.h),
  };
}

/**
 * The update that resizes `obj` from its resize box `from` (see resizeBox()) to `to`,
 * both unrotated in world coordinates, keeping corner `fixed` ("nw", ...) where it is
 * on the board: `{x, y, w, h}` for a box, `{x, y, points}` for a stroke (the server's
 * path has no w/h). One function for the select tool's handles and the Alt+arrow keys,
 * so a stroke or a turned object scales the same way from the mouse and the keyboard.
 */
export function resizedTo(obj, from, to, fixed) {
  const next = keepCorner(obj, from, to, fixed);
  return obj.kind === "path" ? scaledPath(obj, from, next) : roundedBox(next);
}

/**
 * Axis-aligned bounds of an object as drawn: the box around the turned corners of
 * bounds() for a rotated object (its own bounds() otherwise). What sits next to an
 * object on screen (the selection toolbar) must clear these, not the unrotated box,
 * or it covers a turned corner and its handle.
 */
export function drawnBounds(obj, lookup) {
  const b = bounds(obj, lookup);
  const deg = rotationOf(obj);
  if (!deg) return b;
  const a = (deg * Math.PI) / 180;
  const ex = Math.abs((b.w / 2) * Math.cos(a)) + Math.abs((b.h / 2) * Math.sin(a));
  const ey = Math.abs((b.w / 2) * Math.sin(a)) + Math.abs((b.h / 2) * Math.cos(a));
  return { x: b.x + b.w / 2 - ex, y: b.y + b.h / 2 - ey, w: 2 * ex, h: 2 * ey };
}

/** Where a connector end is, in world coordinates. `lookup(id)` finds objects. */
export function endPoint(end, other, lookup) {
  if (!end) return { x: 0, y: 0 };
  if (end.id === undefined) return { x: end.x, y: end.y };
  const target = lookup(end.id);
  if (!target || !BOX_KINDS.has(target.kind)) {
    return target && target.kind === "path" ? center(bounds(target, lookup)) : { x: 0, y: 0 };
  }
  const c = center(target);
  const toward = other;
  return boxEdge(target, c, toward);
}

function boxEdge(b, c, toward) {
  const rx = toward.x - c.x;
  const ry = toward.y - c.y;
  if (!rx && !ry) return c;
  // The ray in the object's own (unrotated) axes; the scale k along it is the same.
  const a = (-(Number(b.rotation) || 0) * Math.PI) / 180;
  const dx = a ? rx * Math.cos(a) - ry * Math.sin(a) : rx;
  const dy = a ? rx * Math.sin(a) + ry * Math.cos(a) : ry;
  const hw = b.w / 2, hh = b.h / 2;
  if (b.kind === "shape" && b.shape === "ellipse") {
    const k = 1 / Math.sqrt((dx * dx) / (hw * hw || 1) + (dy * dy) / (hh * hh || 1));
    return { x: c.x + rx * k, y: c.y + ry * k };
  }
  if (b.kind === "shape" && b.shape === "diamond") {
    const k = 1 / (Math.abs(dx) / (hw || 1) + Math.abs(dy) / (hh || 1));
    return { x: c.x + rx * k, y: c.y + ry * k };
  }
  const k = Math.min(hw / Math.abs(dx || 1e-9), hh / Math.abs(dy || 1e-9));
  return { x: c.x + rx * k, y: c.y + ry * k };
}

/** World point `p` in the unrotated frame of `obj` (turned back about the centre of `b`). */
export function unrotate(obj, p, b) {
  return turn(p, center(b), -rotationOf(obj));
}

/** Both ends of a connector in world coordinates. */
export function connectorEnds(obj, lookup) {
  const guess = (end) => {
    if (!end) return { x: 0, y: 0 };
    if (end.id === undefined) return end;
    const t = lookup(end.id);
    return t ? center(bounds(t, lookup)) : { x: 0, y: 0 };
  };
  const a0 = guess(obj.from), b0 = guess(obj.to);
  return [endPoint(obj.from, b0, lookup), endPoint(obj.to, a0, lookup)];
}

/** Axis-aligned bounds {x,y,w,h} in world coordinates. */
export function bounds(obj, lookup) {
  if (BOX_KINDS.has(obj.kind)) return { x: obj.x, y: obj.y, w: obj.w, h: obj.h };
  if (obj.kind === "path") return pathBox(obj);
  if (obj.kind === "connector") {
    const [a, b] = connectorEnds(obj, lookup);
    return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
  }
  return { x: obj.x, y: obj.y, w: 0, h: 0 };
}

export function unionBounds(list) {
  if (!list.length) return null;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const b of list) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.w);
    y1 = Math.max(y1, b.y + b.h);
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

export const intersects = (a, b) => a.x <= b.x + b.w && b.x <= a.x + a.w && a.y <= b.y + b.h && b.y <= a.y + a.h;
export const contains = (outer, inner) =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;

function segDist(p, a, b) {
  const dx = b.x - a.x, dy = b.y - a.y;
  const len = dx * dx + dy * dy;
  let t = len ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len : 0;
  t = Math.max(0, Math.min(1, t));
  const x = a.x + t * dx, y = a.y + t * dy;
  return Math.hypot(p.x - x, p.y - y);
}

/** Does world point `p` hit `obj`? `tol` is a tolerance in world units. */
export function hit(obj, p, tol, lookup) {
  // Rotated objects are hit where they are drawn.
  if (obj.rotation) p = unrotate(obj, p, bounds(obj, lookup));
  if (obj.kind === "path") {
    const b = pathBox(obj);
    const r = (obj.width || 3) / 2 + tol;
    if (p.x < b.x - r || p.y < b.y - r || p.x > b.x + b.w + r || p.y > b.y + b.h + r) return false;
    const pts = obj.points;
    if (pts.length === 1) return Math.hypot(p.x - obj.x - pts[0][0], p.y - obj.y - pts[0][1]) <= r;
    for (let i = 1; i < pts.length; i++) {
      const a = { x: obj.x + pts[i - 1][0], y: obj.y + pts[i - 1][1] };
      const c = { x: obj.x + pts[i][0], y: obj.y + pts[i][1] };
      if (segDist(p, a, c) <= r) return true;
    }
    return false;
  }
  if (obj.kind === "connector") {
    const [a, b] = connectorEnds(obj, lookup);
    return segDist(p, a, b) <= tol + 4;
  }
  if (obj.kind === "frame") {
    // A frame is picked by its title bar or its border, so what is inside stays clickable.
    const inTitle = p.x >= obj.x && p.x <= obj.x + obj.w && p.y >= obj.y - 28 - tol && p.y <= obj.y;
    const inBox = p.x >= obj.x - tol && p.x <= obj.x + obj.w + tol && p.y >= obj.y - tol && p.y <= obj.y + obj.h + tol;
    const inner = p.x >= obj.x + tol && p.x <= obj.x + obj.w - tol && p.y >= obj.y + tol && p.y <= obj.y + obj.h - tol;
    return inTitle || (inBox && !inner);
  }
  return p.x >= obj.x - tol && p.x <= obj.x + obj.w + tol && p.y >= obj.y - tol && p.y <= obj.y + obj.h + tol;
}

// --- the frame rule's point test (F1 in docs/protocol.md; the rest is in frames.js) ---

// Rounding slack for "on the edge" after turning a point into a rotated frame's axes.
const EDGE_SLACK = 1e-6;

/** F1: does frame `f`'s box as drawn (turned about its centre) hold point `p`, edges in? */
export function frameHolds(f, p) {
  const q = turn(p, { x: f.x + f.w / 2, y: f.y + f.h / 2 }, -(Number(f.rotation) || 0));
  const e = EDGE_SLACK;
  return q.x >= f.x - e && q.x <= f.x + f.w + e && q.y >= f.y - e && q.y <= f.y + f.h + e;
}

/** Is `p` inside a frame's area (for picking it when nothing else is there)? The rule's test. */
export const insideFrame = frameHolds;

// --- resizing a multi-selection as one (the select tool's group handles) -------------

// The server's bounds of a text's font size (server/domain/objects.py: font_size).
const [FONT_MIN, FONT_MAX] = RANGES.font_size;

const freeEnds = (obj) => ["from", "to"].filter((end) => obj[end] && obj[end].id === undefined);

/**
 * What a group resize changes among `objs` (the selection): unlocked boxes and pen
 * strokes, and unlocked connectors with a free end (an attached end follows its
 * object). Locked objects stay where they are, as they do when the selection is moved.
 */
export function groupMembers(objs) {
  return objs.filter((o) => !o.locked && (BOX_KINDS.has(o.kind) || o.kind === "path" || (o.kind === "connector" && freeEnds(o).length)));
}

/**
 * The box a group resize scales: the axis-aligned box around what `members` look like
 * on the board (turned corners included), or null when none of them has a size (only
 * connectors: they follow what they join).
 */
export function groupBox(members, lookup) {
  if (!members.some((o) => o.kind !== "connector")) return null;
  return unionBounds(members.map((o) => drawnBounds(o, lookup)));
}

/**
 * The factors a group may be scaled by, [lo, hi]: the same limits as one object's
 * handles (sizeLimits(), MAX_SIZE) for every member at once, so none goes under its
 * minimum or over its maximum. A side already outside its limits only keeps the group
 * from going further that way (1 stays allowed), and a side of a straight stroke (under
 * a unit across) does not count: scaling it keeps it straight.
 */
export function groupScaleRange(members) {
  let lo = 0, hi = Infinity;
  for (const obj of members) {
    if (obj.kind === "connector") continue;
    const box = resizeBox(obj);
    for (const extent of [box.w, box.h]) {
      if (!(extent >= 1)) continue;
      const [min, max] = sizeLimits(obj, extent);
      lo = Math.max(lo, Math.min(min / extent, 1));
      hi = Math.min(hi, Math.max(max / extent, 1));
    }
  }
  return [lo, hi];
}

/**
 * The updates that scale `members` by `s` about corner `fixed` ("nw", ...) of `box`
 * (see groupBox()), all by the same factor, as a Map id -> set:
 * - a box: `{x, y, w, h}` in whole units; a turned one keeps its rotation and its
 *   centre is scaled about the corner (it turns about its centre, so it stays in place
 *   in the group); a text's `font_size` is scaled too, within the server's 4-512;
 * - a pen stroke: `{x, y, points}`, every point scaled (the pen's width stays);
 * - a connector: its free ends `{from}`/`{to}` scaled (attached ends follow their objects).
 * A frame's box is scaled like any box; what lies in it changes only if it is in
 * `members` itself. Factors outside groupScaleRange() are the caller's to avoid.
 */
export function scaledGroup(members, box, fixed, s) {
  const f = cornerOf(box, fixed);
  const at = (p) => ({ x: f.x + (p.x - f.x) * s, y: f.y + (p.y - f.y) * s });
  const patches = new Map();
  for (const obj of members) {
    if (obj.kind === "connector") {
      const set = {};
      for (const end of freeEnds(obj)) {
        const p = at(obj[end]);
        set[end] = { x: tenth(clamp(p.x, -MAX_COORD, MAX_COORD)), y: tenth(clamp(p.y, -MAX_COORD, MAX_COORD)) };
      }
      patches.set(obj.id, set);
      continue;
    }
    const from = resizeBox(obj);
    const to = { ...at(from), w: from.w * s, h: from.h * s };
    if (obj.kind === "path") {
      patches.set(obj.id, scaledPath(obj, from, to));
      continue;
    }
    const set = roundedBox(to);
    if (obj.kind === "text") set.font_size = clamp(tenth((obj.font_size || 24) * s), FONT_MIN, FONT_MAX);
    patches.set(obj.id, set);
  }
  return patches;
}
