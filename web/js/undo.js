// Per-user undo/redo: each of my changes is kept with its inverse ops. Undo sends the
// inverse as a new batch, so it undoes only my change and leaves others' edits alone:
// a field is set back only where it still holds what my change put there; where someone
// else changed it since, their value stays and the step says so (`skipped`), as Figma
// and tldraw do.
// Ids are never reused on the server, so re-creating a deleted object gets a new id;
// `alias` follows such renames for later undo/redo steps.

import { randomId } from "./util.js";

const LIMIT = 200;

/** Same value (numbers, strings, points, connector ends): compared as JSON. */
const same = (a, b) => a === b || JSON.stringify(a) === JSON.stringify(b);

export function inverseOf(ops, store) {
  const out = [];
  // Work on a scratch copy so several ops on the same object invert correctly.
  const scratch = new Map();
  const cur = (id) => (scratch.has(id) ? scratch.get(id) : store.view.get(id));
  for (const op of ops) {
    if (op.op === "create") {
      out.push({ op: "delete", id: op.object.id });
      scratch.set(op.object.id, op.object);
    } else if (op.op === "delete") {
      const obj = cur(op.id);
      if (obj) out.push({ op: "create", object: structuredClone(obj) });
      scratch.set(op.id, undefined);
    } else if (op.op === "update") {
      const obj = cur(op.id);
      if (!obj) continue;
      const prev = {};
      for (const k of Object.keys(op.set)) if (obj[k] !== undefined) prev[k] = structuredClone(obj[k]);
      if (Object.keys(prev).length) out.push({ op: "update", id: op.id, set: prev });
      scratch.set(op.id, { ...obj, ...op.set });
    }
  }
  return out.reverse();
}

export class UndoStack extends EventTarget {
  constructor(store, send) {
    super();
    this.store = store;
    this.send = send;
    this.done = [];
    this.undone = [];
    this.alias = new Map();
    this.lastSkipped = 0;
  }

  _resolve(id) {
    let seen = 0;
    while (this.alias.has(id) && seen++ < 100) id = this.alias.get(id);
    return id;
  }

  _mapEnd(end) {
    return end && end.id !== undefined ? { id: this._resolve(end.id) } : end;
  }

  /**
   * Translate recorded ops to today's ids; creates get fresh ids. `expected` are the
   * ops of the other direction (what my change set): an update's field is sent only
   * where the board still shows that value. Returns {ops, skipped} (fields left alone).
   */
  _materialise(ops, expected = []) {
    const out = [];
    let skipped = 0;
    const mine = new Map(); // id -> the values my change left on it
    for (const op of expected) {
      if (op.op === "update") mine.set(op.id, { ...(mine.get(op.id) || {}), ...op.set });
      else if (op.op === "create") mine.set(op.object.id, { ...op.object });
    }
    for (const op of ops) {
      if (op.op === "create") {
        const obj = structuredClone(op.object);
        const current = this._resolve(obj.id);
        if (this.store.view.has(current)) continue;
        const fresh = randomId(16);
        this.alias.set(current, fresh);
        obj.id = fresh;
        if (obj.from) obj.from = this._mapEnd(obj.from);
        if (obj.to) obj.to = this._mapEnd(obj.to);
        out.push({ op: "create", object: obj });
      } else if (op.op === "delete") {
        const id = this._resolve(op.id);
        if (this.store.view.has(id)) out.push({ op: "delete", id });
      } else {
        const id = this._resolve(op.id);
        const now = this.store.view.get(id);
        if (!now) continue;
        const left = mine.get(op.id);
        const set = {};
        for (const [key, value] of Object.entries(op.set)) {
          if (left && key in left && !same(now[key], left[key])) {
            skipped += 1; // someone else changed it since: theirs stays
            continue;
          }
          set[key] = value;
        }
        if (set.from) set.from = this._mapEnd(set.from);
        if (set.to) set.to = this._mapEnd(set.to);
        if (Object.keys(set).length) out.push({ op: "update", id, set });
      }
    }
    return { ops: out, skipped };
  }

  record(forward, inverse) {
    if (!forward.length) return;
    this.done.push({ forward: structuredClone(forward), inverse });
    if (this.done.length > LIMIT) this.done.shift();
    this.undone = [];
    this._changed();
  }

  /** Undo my last change; false if there is none. `lastSkipped`: fields left to others. */
  undo() {
    const entry = this.done.pop();
    if (!entry) return false;
    const { ops, skipped } = this._materialise(entry.inverse, entry.forward);
    this.lastSkipped = skipped;
    if (ops.length) this.send(ops);
    this.undone.push(entry);
    this._changed();
    return true;
  }

  redo() {
    const entry = this.undone.pop();
    if (!entry) return false;
    const { ops, skipped } = this._materialise(entry.forward, entry.inverse);
    this.lastSkipped = skipped;
    if (ops.length) this.send(ops);
    this.done.push(entry);
    this._changed();
    return true;
  }

  /** Ids that a recorded create/delete refers to now (for selecting after undo). */
  current(id) {
    return this._resolve(id);
  }

  _changed() {
    this.dispatchEvent(new Event("change"));
  }
}
