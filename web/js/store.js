// Board state: what the server confirmed, plus this client's pending batches on top.
//
// `confirmed` is the board as of `seq` (server order). `pending` are batches sent or
// queued but not yet acknowledged; the visible board (`view`) is confirmed + pending,
// recomputed only for the objects a change touches. `preview` holds short-lived local
// overrides while dragging (never sent as such). Events: "change" {ids:Set|null}.

import { withDefaults } from "./schema.js";

function applyOp(map, tombs, op, replace = false) {
  if (op.op === "create") {
    const obj = op.object;
    // The server re-creates an id only to reveal a private object or to bring a deleted
    // one back (a restore): its create replaces what this client holds. A local create
    // never revives a deleted id (the server would skip it).
    if (replace) {
      tombs.delete(obj.id);
      map.set(obj.id, withDefaults(obj));
    } else if (!map.has(obj.id) && !tombs.has(obj.id)) map.set(obj.id, withDefaults(obj));
  } else if (op.op === "update") {
    const cur = map.get(op.id);
    if (cur) map.set(op.id, withDefaults({ ...cur, ...op.set }));
  } else if (op.op === "delete") {
    map.delete(op.id);
    tombs.add(op.id);
  }
}

/** Stacking order: z, then id (the order objects are drawn in, bottom first). */
export const stackingOrder = (a, b) => a.z - b.z || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export const opId = (op) => (op.op === "create" ? op.object.id : op.id);

export class Store extends EventTarget {
  constructor() {
    super();
    this.confirmed = new Map();
    this.tombs = new Set();
    this.view = new Map();
    this.pending = []; // [{batch, ops}]
    this.preview = new Map(); // id -> partial fields
    this.previewSet = 0; // counts changes of which ids the preview holds (the renderer's lift)
    this.seq = 0;
    this.loaded = false;
    this._sorted = null;
  }

  get(id) {
    const base = this.view.get(id);
    if (!base) return undefined;
    const p = this.preview.get(id);
    return p ? { ...base, ...p } : base;
  }

  has(id) {
    return this.view.has(id);
  }

  /** Objects in stacking order (z, then id), as displayed (preview applied). */
  sorted() {
    if (!this._sorted) {
      this._sorted = [...this.view.values()].sort(stackingOrder);
    }
    if (!this.preview.size) return this._sorted;
    return this._sorted.map((o) => (this.preview.has(o.id) ? { ...o, ...this.preview.get(o.id) } : o));
  }

  maxZ() {
    const s = this.sorted();
    return s.length ? s[s.length - 1].z : 0;
  }

  minZ() {
    const s = this.sorted();
    return s.length ? s[0].z : 0;
  }

  /** `viewChanged`: false when only the preview did (then `_sorted` still holds). */
  _emit(ids, viewChanged = true) {
    if (viewChanged) this._sorted = null;
    this.dispatchEvent(new CustomEvent("change", { detail: { ids } }));
  }

  _recompute(ids) {
    for (const id of ids) {
      const map = new Map();
      const base = this.confirmed.get(id);
      if (base) map.set(id, base);
      const tombs = new Set(this.tombs.has(id) ? [id] : []);
      for (const p of this.pending) for (const op of p.ops) if (opId(op) === id) applyOp(map, tombs, op);
      const v = map.get(id);
      if (v) this.view.set(id, v);
      else this.view.delete(id);
    }
  }

  /** Replace the whole confirmed board (welcome or catch-up with objects). */
  load(objects, seq) {
    this.tombs = new Set();
    const confirmed = new Map();
    for (const o of objects) confirmed.set(o.id, withDefaults(o));
    this.confirmed = confirmed;
    this.seq = seq;
    this.loaded = true;
    this.rebuild();
    performance.mark("samskap:store-loaded");
  }

  /**
   * The view again from confirmed + pending. In bulk: a copy of the confirmed map, then
   * only the ids the pending batches touch are recomputed; per object it was a Map and a
   * Set each (a 10,000-object load, median 15 → 9-14 ms in Node: bench/store_rebuild.mjs).
   */
  rebuild() {
    this.view = new Map(this.confirmed);
    const ids = new Set();
    for (const p of this.pending) for (const op of p.ops) ids.add(opId(op));
    this._recompute(ids);
    this._emit(null);
  }

  /**
   * The server's batch `seq`, which must be the next one (the engine orders them).
   * Our own batch coming back (in a catch-up, or committed from another tab of this
   * seat) is confirmed by it. Returns the touched ids.
   */
  applyBatch(msg) {
    if (msg.seq !== this.seq + 1) throw new Error(`batch ${msg.seq} applied at ${this.seq}`);
    const ids = new Set();
    for (const op of msg.ops || []) {
      applyOp(this.confirmed, this.tombs, op, true);
      ids.add(opId(op));
    }
    this.seq = msg.seq;
    const i = this.pending.findIndex((p) => p.batch === msg.batch);
    if (i >= 0) {
      for (const op of this.pending[i].ops) ids.add(opId(op));
      this.pending.splice(i, 1);
    }
    this._recompute(ids);
    this._emit(ids);
    return ids;
  }

  /** A local batch: shown at once, kept until the server acknowledges it. */
  addLocal(batch, ops) {
    this.pending.push({ batch, ops });
    const ids = new Set(ops.map(opId));
    this._recompute(ids);
    this._emit(ids);
  }

  /** Does this page still hold `batch` unconfirmed? */
  isPending(batch) {
    return this.pending.some((p) => p.batch === batch);
  }

  /**
   * The ack of our own batch in its slot `seq` (the next one): its ops, less the
   * skipped ones, become confirmed exactly as the server applied them.
   */
  applyOwn(batch, seq, skipped = []) {
    if (seq !== this.seq + 1) throw new Error(`ack ${seq} applied at ${this.seq}`);
    const i = this.pending.findIndex((p) => p.batch === batch);
    if (i < 0) throw new Error(`ack of unknown batch ${batch}`);
    const [p] = this.pending.splice(i, 1);
    const skip = new Set(skipped);
    p.ops.forEach((op, index) => {
      if (!skip.has(index)) applyOp(this.confirmed, this.tombs, op);
    });
    this.seq = seq;
    const ids = new Set(p.ops.map(opId));
    this._recompute(ids);
    this._emit(ids);
  }

  /**
   * Drop a pending batch whose effect is already confirmed (a repeated ack, or a
   * batch that changed nothing), or that the server refused for good: the view falls
   * back to what the server has.
   */
  drop(batch) {
    const i = this.pending.findIndex((p) => p.batch === batch);
    if (i < 0) return null;
    const [p] = this.pending.splice(i, 1);
    const ids = new Set(p.ops.map(opId));
    this._recompute(ids);
    this._emit(ids);
    return p;
  }

  /**
   * A drag's or resize's frame. `_sorted` is the stacking order of `view` alone (a
   * preview is applied on reading), so it stays: re-sorting a 50,000-object board on
   * every frame of a drag cost more than drawing the frame.
   */
  setPreview(patches) {
    for (const [id, patch] of patches) {
      if (!this.preview.has(id)) this.previewSet++;
      this.preview.set(id, patch);
    }
    this._emit(new Set(patches.keys()), false);
  }

  clearPreview() {
    if (!this.preview.size) return;
    const ids = new Set(this.preview.keys());
    this.preview.clear();
    this.previewSet++;
    this._emit(ids, false);
  }
}
