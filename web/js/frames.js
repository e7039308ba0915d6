// The frame rule F1 (docs/protocol.md; server/domain/geometry.py is its twin): an
// object is in a frame when the frame's box as drawn (turned about its centre, edges
// included) holds the object's centre; it belongs to the smallest such frame (then the
// lowest id). Dragging a frame carries everything it holds, nested frames and their
// contents too. tests/data/frame_rule.json runs the same cases against both languages.

import { bounds, center, connectorEnds, frameHolds } from "./geometry.js";
import { BOX_KINDS } from "./schema.js";

export { frameHolds };

/**
 * The centre the frame rule uses: a box's middle (rotation turns about it), a pen
 * stroke's middle, a connector's drawn line's middle (NaN while an end's object is gone).
 */
export function objectCenter(obj, lookup) {
  if (obj.kind === "connector") {
    for (const end of [obj.from, obj.to]) {
      if (!end) return { x: NaN, y: NaN };
      if (end.id !== undefined) {
        const target = lookup(end.id);
        if (!target || !BOX_KINDS.has(target.kind)) return { x: NaN, y: NaN };
      }
    }
    const [a, b] = connectorEnds(obj, lookup);
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  }
  return center(bounds(obj, lookup));
}

const smaller = (a, b) => a.w * a.h - b.w * b.h || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The smallest frame (then the lowest id) among `objects` holding point `p`, or null. */
export function frameAtPoint(p, objects, exceptId = null) {
  let best = null;
  for (const f of objects) if (f.kind === "frame" && f.id !== exceptId && frameHolds(f, p) && (!best || smaller(f, best) < 0)) best = f;
  return best;
}

/** F1: the frame `obj` is in (the smallest holding its centre), or null. */
export function frameOf(obj, objects, lookup) {
  return frameAtPoint(objectCenter(obj, lookup), objects, obj.id);
}

/** F1: the objects a frame holds (their centres lie in it), nested frames' contents too. */
export function frameContents(frame, objects, lookup) {
  const out = [];
  for (const o of objects) if (o.id !== frame.id && frameHolds(frame, objectCenter(o, lookup))) out.push(o);
  return out;
}

/**
 * The template zone `obj` lies in, as server/domain/geometry.py's zone_of: the smallest
 * locked shape (then the lowest id) whose box holds the object's centre, or null.
 */
export function zoneOf(obj, objects, lookup) {
  const p = objectCenter(obj, lookup);
  let best = null;
  for (const z of objects) {
    if (z.kind !== "shape" || !z.locked || z.id === obj.id) continue;
    const b = bounds(z, lookup);
    if (p.x < b.x || p.x > b.x + b.w || p.y < b.y || p.y > b.y + b.h) continue;
    if (!best || smaller(z, best) < 0) best = z;
  }
  return best;
}

/** A zone's or frame's name for a listener: its first line, up to a " – " explanation. */
export function placeName(obj) {
  const words = (obj.kind === "frame" ? obj.title : obj.text) || "";
  return words.split("\n")[0].split(" – ")[0].trim();
}

/** Where `obj` is, in words: its zone's name, else its frame's title, else "". */
export function placeOf(obj, objects, lookup) {
  for (const place of [zoneOf(obj, objects, lookup), frameOf(obj, objects, lookup)]) {
    const name = place ? placeName(place) : "";
    if (name) return name;
  }
  return "";
}
