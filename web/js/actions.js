// Everything that changes the board goes through here: one undoable batch per action.

import { frameContents, frameOf, placeOf } from "./frames.js";
import { bounds, center, intersects, keptRatio, resizeBox, resizedTo, sizeLimits, unionBounds } from "./geometry.js";
import { BOX_KINDS, cleanObject, withDefaults } from "./schema.js";
import { inverseOf } from "./undo.js";
import { clamp, randomId } from "./util.js";

const CLIP_TAG = "samskap/objects";
// Moving and resizing from the keyboard are announced once the keys rest: a held arrow
// key repeats ~30 times a second (after ~500 ms), and each press would interrupt the last.
const SAY_AFTER_MS = 500;

export class Actions {
  constructor({ store, conn, selection, undo, camera, boardId = null, announce = null }) {
    this.store = store;
    this.conn = conn;
    this.selection = selection;
    this.undo = undo;
    this.camera = camera;
    this.clipboard = null;
    this.pasteCount = 0;
    this.boardId = boardId; // named on the clipboard, so another board can copy its images
    this.lookup = (id) => store.get(id);
    // (key, vars) => void: says a translated string in the page's polite live region.
    this.announce = announce;
    this.sayTimer = null;
  }

  /** Announce `key` with `vars` once no other such announcement follows for a moment. */
  say(key, vars) {
    if (!this.announce) return;
    clearTimeout(this.sayTimer);
    this.sayTimer = setTimeout(() => this.announce(key, vars), SAY_AFTER_MS);
  }

  /** Drop an announcement still waiting (an undo makes "Moved to Key players" untrue). */
  hush() {
    clearTimeout(this.sayTimer);
  }

  /** Send `ops` as one batch and remember how to undo it. */
  commit(ops, { undoable = true } = {}) {
    if (!ops.length) return null;
    const inverse = undoable ? inverseOf(ops, this.store) : null;
    const batch = this.conn.send(ops);
    if (undoable) this.undo.record(ops, inverse);
    return batch;
  }

  selected() {
    return [...this.selection].map((id) => this.store.get(id)).filter(Boolean);
  }

  create(obj, { select = true } = {}) {
    const full = withDefaults({ id: randomId(16), z: this.store.maxZ() + 1, ...obj });
    if (full.kind === "frame") full.z = this.store.minZ() - 1;
    this.commit([{ op: "create", object: full }]);
    if (select) this.selection.set([full.id]);
    return full;
  }

  update(id, set, opts) {
    return this.commit([{ op: "update", id, set }], opts);
  }

  /** Ids that move along when `ids` move: the contents of moved frames. */
  withContents(ids) {
    const all = new Set(ids);
    const objects = this.store.sorted();
    for (const id of ids) {
      const obj = this.store.get(id);
      if (obj && obj.kind === "frame") for (const o of frameContents(obj, objects, this.lookup)) all.add(o.id);
    }
    return [...all].filter((id) => {
      const o = this.store.get(id);
      return o && !o.locked;
    });
  }

  /**
   * Position fields of `obj` moved by dx, dy (connector free ends move too), in whole
   * units as a resize leaves a box (a drag at 83 % zoom gave x = 1999.9999314692984).
   * `whole: false` gives them unrounded (what undo puts back).
   */
  moved(obj, dx, dy, { whole = true } = {}) {
    const at = whole ? (v) => Math.round(v) : (v) => v;
    if (obj.kind === "connector") {
      const set = {};
      for (const end of ["from", "to"]) if (obj[end] && obj[end].id === undefined) set[end] = { x: at(obj[end].x + dx), y: at(obj[end].y + dy) };
      return set;
    }
    return { x: at(obj.x + dx), y: at(obj.y + dy) };
  }

  move(ids, dx, dy) {
    const ops = [];
    for (const id of ids) {
      const obj = this.store.view.get(id);
      if (!obj || obj.locked) continue;
      const set = this.moved(obj, dx, dy);
      if (Object.keys(set).length) ops.push({ op: "update", id, set });
    }
    return this.commit(ops);
  }

  /**
   * Move the selection by dx, dy (arrow keys) and announce where it went (movedWords):
   * the zone or frame for one object, "3 objects moved" for several.
   */
  nudge(dx, dy) {
    if (!this.selection.size) return false;
    const moving = this.selected().filter((o) => !o.locked && Object.keys(this.moved(o, 0, 0)).length);
    if (!this.move(this.withContents([...this.selection]), dx, dy) || !moving.length) return true;
    const words = this.movedWords(moving.map((o) => o.id));
    if (words) this.say(...words);
    return true;
  }

  /**
   * What to say after the objects `ids` moved (the selected ones, not the frame contents
   * they carried), as [key, vars]: "Moved to Key players" for one in a named zone or
   * frame (a place a listener knows from the outline), else "Moved into a frame" or
   * "Moved (outside frames)", never coordinates (Shift+P says them, board/where.js);
   * "3 objects moved" for several. Keyboard and mouse say the same.
   */
  movedWords(ids) {
    if (ids.length > 1) return ["announce.moved_many", { n: ids.length }];
    const obj = ids.length ? this.store.get(ids[0]) : null;
    if (!obj) return null;
    const place = placeOf(obj, this.store.sorted(), this.lookup);
    if (place) return ["announce.moved_into", { place }];
    // No coordinates (Shift+P gives them on request): a frame without a title, or outside.
    return [frameOf(obj, this.store.sorted(), this.lookup) ? "announce.moved_frame" : "announce.moved_outside", {}];
  }

  /** What to say after the objects `ids` were resized: "Size 310 × 130", or "3 objects resized". */
  resizedWords(ids) {
    if (ids.length > 1) return ["announce.resized_many", { n: ids.length }];
    const obj = ids.length ? this.store.get(ids[0]) : null;
    if (!obj || obj.kind === "connector") return null;
    const size = resizeBox(obj);
    return ["announce.resized_to", { w: Math.round(size.w), h: Math.round(size.h) }];
  }

  /**
   * Resize the selection from the keyboard (Alt+arrows): each box or pen stroke grows
   * by dw, dh units along its own axes, about its top-left corner, which stays where
   * it is on the board even when the object is turned. The same limits and the same
   * scaling as the select tool's handles (resizedTo()), so a stroke's points are scaled
   * and sent as `{x, y, points}`. An image keeps its proportions, as its handles do
   * (keptRatio(): scaled by the step, so a width step also changes its height). One undo
   * step per key press; the new size is announced ("Size 310 × 130", or "3 objects
   * resized").
   */
  resizeBy(dw, dh) {
    const ops = [];
    for (const obj of this.selected()) {
      if (obj.locked || !(BOX_KINDS.has(obj.kind) || obj.kind === "path")) continue;
      const box = resizeBox(obj);
      const [minW, maxW] = sizeLimits(obj, box.w), [minH, maxH] = sizeLimits(obj, box.h);
      const w = clamp(box.w + dw, minW, maxW), h = clamp(box.h + dh, minH, maxH);
      const to = obj.kind === "image" ? keptRatio(box, w, h) : { ...box, w, h };
      // At a limit the key does nothing: no update, and no empty step to undo (an image
      // is sent in whole units, so less than half a unit is no change either).
      const same =
        obj.kind === "image"
          ? Math.round(to.w) === box.w && Math.round(to.h) === box.h
          : w === box.w && h === box.h;
      if (same) continue;
      ops.push({ op: "update", id: obj.id, set: resizedTo(obj, box, to, "nw") });
    }
    if (!this.commit(ops)) return;
    const words = this.resizedWords(ops.map((op) => op.id));
    if (words) this.say(...words);
  }

  deleteIds(ids) {
    const gone = new Set(ids.filter((id) => this.store.get(id) && !this.store.get(id).locked));
    if (!gone.size) return;
    const ops = [];
    // Connectors attached to what goes keep their place as free ends.
    for (const obj of this.store.sorted()) {
      if (obj.kind !== "connector" || gone.has(obj.id)) continue;
      const set = {};
      for (const end of ["from", "to"]) {
        if (obj[end] && gone.has(obj[end].id)) {
          set[end] = center(bounds(this.store.get(obj[end].id), this.lookup));
        }
      }
      if (Object.keys(set).length) ops.push({ op: "update", id: obj.id, set });
    }
    for (const id of gone) ops.push({ op: "delete", id });
    this.commit(ops);
    this.selection.set([...this.selection].filter((id) => !gone.has(id)));
  }

  deleteSelection() {
    this.deleteIds([...this.selection]);
  }

  setColor(color) {
    const ops = [];
    for (const obj of this.selected()) {
      if (obj.locked || obj.kind === "image") continue;
      ops.push({ op: "update", id: obj.id, set: { color } });
    }
    this.commit(ops);
  }

  /**
   * Lock or unlock the selection (facilitators only; the server refuses anyone else):
   * if everything selected is locked, all are unlocked, otherwise all are locked. One
   * undo step. Returns what happened ("locked" / "unlocked") and how many changed, or null.
   */
  toggleLock() {
    const objs = this.selected();
    if (!objs.length) return null;
    const locked = !objs.every((o) => o.locked);
    const ops = objs.filter((o) => !!o.locked !== locked).map((o) => ({ op: "update", id: o.id, set: { locked } }));
    this.commit(ops);
    return { locked, n: ops.length };
  }

  /** Locked objects (a template's background) keep their place in the order. */
  toFront() {
    let z = this.store.maxZ();
    const ops = this.selected()
      .filter((o) => !o.locked)
      .sort((a, b) => a.z - b.z)
      .map((o) => ({ op: "update", id: o.id, set: { z: ++z } }));
    this.commit(ops);
  }

  /**
   * Behind everything else, but not behind a background: locked objects (a template's
   * frame and zones) and frames under the selection stay below it, so a note sent to
   * the back on a template board stays in sight (just above the highest of them, below
   * every other object).
   */
  toBack() {
    const moving = this.selected()
      .filter((o) => !o.locked)
      .sort((a, b) => a.z - b.z);
    if (!moving.length) return;
    const ids = new Set(moving.map((o) => o.id));
    const rest = this.store.sorted().filter((o) => !ids.has(o.id));
    const area = unionBounds(moving.map((o) => bounds(o, this.lookup)));
    const under = rest.filter((o) => (o.locked || o.kind === "frame") && intersects(area, bounds(o, this.lookup)));
    const floor = Math.max(-Infinity, ...under.map((o) => o.z));
    const above = rest.filter((o) => o.z > floor).map((o) => o.z);
    let zs;
    if (floor === -Infinity) zs = moving.map((_, i) => this.store.minZ() - moving.length + i);
    else if (!above.length) zs = moving.map((_, i) => floor + 1 + i);
    else {
      const top = Math.min(...above);
      zs = moving.map((_, i) => floor + ((top - floor) * (i + 1)) / (moving.length + 1));
    }
    this.commit(moving.map((o, i) => ({ op: "update", id: o.id, set: { z: zs[i] } })));
  }

  connect(a, b) {
    return this.create({ kind: "connector", x: 0, y: 0, from: { id: a }, to: { id: b } }, { select: false });
  }

  /** The selected objects as portable JSON (connectors keep their ends as points too). */
  serialise() {
    const objs = this.selected();
    const ids = new Set(objs.map((o) => o.id));
    // Connectors between selected objects come along.
    for (const o of this.store.sorted()) {
      if (o.kind === "connector" && !ids.has(o.id) && ids.has(o.from?.id) && ids.has(o.to?.id)) {
        objs.push(o);
        ids.add(o.id);
      }
    }
    const out = objs.map((o) => {
      const copy = structuredClone(o);
      if (o.kind === "connector") {
        const lookup = this.lookup;
        for (const end of ["from", "to"]) {
          if (o[end]?.id !== undefined) {
            const t = lookup(o[end].id);
            copy[`${end}_point`] = t ? center(bounds(t, lookup)) : { x: 0, y: 0 };
          }
        }
      }
      return copy;
    });
    return JSON.stringify({ type: CLIP_TAG, version: 1, board: this.boardId, objects: out });
  }

  copy() {
    if (!this.selection.size) return null;
    this.clipboard = this.serialise();
    this.pasteCount = 0;
    return this.clipboard;
  }

  /** The board the clipboard's objects were copied from (or null). */
  static clipBoard(text) {
    try {
      const data = JSON.parse(text);
      return data && data.type === CLIP_TAG && typeof data.board === "string" ? data.board : null;
    } catch {
      return null;
    }
  }

  static parseClip(text) {
    try {
      const data = JSON.parse(text);
      if (data && data.type === CLIP_TAG && Array.isArray(data.objects)) return data.objects;
    } catch {
      /* not ours */
    }
    return null;
  }

  /** Paste objects (from this board or another), with new ids, near `at` or offset. */
  paste(objects, at = null) {
    if (!objects || !objects.length) return;
    this.pasteCount++;
    const ids = new Map(objects.map((o) => [o.id, randomId(16)]));
    const boxes = objects.filter((o) => o.kind !== "connector").map((o) => bounds(o, () => null));
    const box = unionBounds(boxes) || { x: 0, y: 0, w: 0, h: 0 };
    let dx = 24 * this.pasteCount, dy = 24 * this.pasteCount;
    if (at) {
      dx = at.x - (box.x + box.w / 2);
      dy = at.y - (box.y + box.h / 2);
    }
    let z = this.store.maxZ();
    const ops = [];
    const sorted = [...objects].sort((a, b) => (a.z || 0) - (b.z || 0));
    for (const src of sorted) {
      const raw = { ...src, id: ids.get(src.id), z: src.kind === "frame" ? this.store.minZ() - 1 : ++z, locked: false };
      if (raw.kind === "connector") {
        for (const end of ["from", "to"]) {
          const e = src[end];
          if (e && e.id !== undefined) raw[end] = ids.has(e.id) ? { id: ids.get(e.id) } : { x: (src[`${end}_point`]?.x ?? 0) + dx, y: (src[`${end}_point`]?.y ?? 0) + dy };
          else if (e) raw[end] = { x: e.x + dx, y: e.y + dy };
        }
      } else {
        raw.x = src.x + dx;
        raw.y = src.y + dy;
      }
      const clean = cleanObject(raw);
      if (clean) ops.push({ op: "create", object: withDefaults(clean) });
    }
    this.commit(ops);
    this.selection.set(ops.map((op) => op.object.id));
  }

  duplicate() {
    const text = this.serialise();
    if (!this.selection.size) return;
    const saved = this.pasteCount;
    this.pasteCount = 0;
    this.paste(Actions.parseClip(text));
    this.pasteCount = saved;
  }
}
