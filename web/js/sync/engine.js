// The page's sync engine: the rules that keep a page's board equal to the server's.
//
// No DOM, no WebSocket, no storage, no clock of its own: the page (protocol.js) and the
// Node harness of the fuzz tests (tests/support/js/harness.mjs) both drive this same
// code through `attach(send)`, `receive(msg)`, `detach()` and `submit(ops)`, and give
// it a `schedule(fn, ms)` for its back-off.
//
// The rules (docs/client.md, docs/protocol.md S15, S17, S18):
// - Batches apply strictly by `seq`. Our own batch's `ack` is a batch in its slot; an
//   `ops` or `ack` at or below the page's `seq` was seen before and changes nothing.
// - A jump holds everything above the gap and asks with `sync` (with a `req`) until the
//   gap is filled.
// - Pending batches go out in their original order. A refusal that means "try again"
//   (rate_limited, unavailable) resends that batch and every later one, in order, after
//   a back-off, on the same socket; a refusal for good drops the batch and says so.
// - Replies are matched by `req`, never guessed.

const RETRY = new Set(["rate_limited", "unavailable"]);
const SYNC_TIMEOUT = 5000;
// The server's defaults, until its welcome says what it was set to (`limits`).
const LIMITS = { message_bytes: 512 * 1024, ops_per_batch: 2000 };
const utf8 = new TextEncoder();

/** Is `text` longer than `limit` bytes in UTF-8? Encodes only when the length cannot tell. */
export function overLimit(text, limit) {
  if (text.length > limit) return true; // a UTF-16 unit is at least one byte
  return text.length * 3 > limit && utf8.encode(text).length > limit;
}

let counter = 0;

export class SyncEngine extends EventTarget {
  /**
   * @param {object} o
   * @param {import("../store.js").Store} o.store
   * @param {string} o.token the link's token
   * @param {() => string} o.name the person's display name, read at each join
   * @param {{client: string, resume: string} | null} o.seat a seat held before (S18)
   * @param {(fn: () => void, ms: number) => () => void} o.schedule run later; returns cancel
   * @param {(n: number) => string} o.newId random ids for batches and requests
   */
  constructor({ store, token, name, seat = null, schedule, newId }) {
    super();
    this.store = store;
    this.token = token;
    this.name = name;
    this.seat = seat;
    this.schedule = schedule;
    this.newId = newId;
    this.you = null;
    this.board = null;
    this.online = false; // welcomed on the current socket
    this._send = null;
    this._sent = new Set(); // batch ids sent on the current socket
    this._held = new Map(); // seq -> {kind: "ops"|"ack", msg}, above a gap
    this._syncReq = null; // the outstanding sync's req
    this._cancelSync = null;
    this._paused = false; // backing off after a "try again" refusal
    this._cancelRetry = null;
    this._retries = 0;
    this._requests = new Map(); // req -> {resolve, reject}
    this.limits = { ...LIMITS };
  }

  // --- the socket --------------------------------------------------------------------

  /** A socket opened: join on it (with `since` when we hold a board). */
  attach(send) {
    this._send = send;
    this.online = false;
    this._sent = new Set();
    const join = { type: "join", token: this.token, name: this.name() };
    if (this.seat) {
      join.resume = this.seat.resume;
      join.client = this.seat.client;
    }
    if (this.store.loaded) join.since = this.store.seq;
    send(JSON.stringify(join));
  }

  /** The socket is gone: nothing is in flight any more; requests fail. */
  detach() {
    this._send = null;
    this.online = false;
    this._syncReq = null;
    if (this._cancelSync) this._cancelSync();
    if (this._cancelRetry) this._cancelRetry();
    this._cancelSync = this._cancelRetry = null;
    this._paused = false;
    for (const { reject } of this._requests.values()) reject(new Error("offline"));
    this._requests.clear();
  }

  // --- what the page does --------------------------------------------------------------

  /** Apply `ops` locally at once and send them (or keep them queued while offline). */
  submit(ops) {
    const batch = this.newId(20);
    this.store.addLocal(batch, ops);
    this._changed();
    this._flush();
    return batch;
  }

  /**
   * Send a message that expects a reply (vote, facilitate, ping); resolves with the
   * reply that echoes its `req` (which may be an `error`). Rejects when offline.
   */
  request(msg) {
    if (!this.online) return Promise.reject(new Error("offline"));
    const req = `r${++counter}${this.newId(6)}`;
    return new Promise((resolve, reject) => {
      this._requests.set(req, { resolve, reject });
      this._send(JSON.stringify({ ...msg, req }));
    });
  }

  /** Send a message that expects no reply (presence); false when offline. */
  notify(msg) {
    if (!this.online) return false;
    this._send(JSON.stringify(msg));
    return true;
  }

  // --- what the server says ------------------------------------------------------------

  receive(msg) {
    if (typeof msg.req === "string" && this._requests.has(msg.req)) {
      const { resolve } = this._requests.get(msg.req);
      this._requests.delete(msg.req);
      if (msg.type === "catchup") this._catchup(msg);
      else if (msg.type !== "error") this._emit(msg.type, msg);
      resolve(msg);
      return;
    }
    switch (msg.type) {
      case "welcome":
        return this._welcome(msg);
      case "ops":
        return this._ordered(msg.seq, { kind: "ops", msg });
      case "ack":
        return this._ack(msg);
      case "catchup":
        return this._catchup(msg);
      case "error":
        if (typeof msg.batch === "string") return this._refused(msg);
        return this._emit("error", msg);
      default:
        return this._emit(msg.type, msg);
    }
  }

  _welcome(msg) {
    this.you = msg.you;
    this.board = msg.board || this.board;
    this.limits = { ...LIMITS, ...msg.limits };
    if (msg.you && typeof msg.you.resume === "string") {
      this.seat = { client: msg.you.client, resume: msg.you.resume };
      this._emit("seat", this.seat);
    }
    if (Array.isArray(msg.catchup)) {
      for (const entry of msg.catchup) this._ordered(entry.seq, { kind: "ops", msg: entry });
    } else {
      this._load(msg.objects || [], msg.seq || 0);
    }
    this.online = true;
    this._retries = 0;
    if (this.store.seq < msg.seq) this._requestSync(); // a catch-up with a hole
    this._emit("welcome", msg);
    this._flush();
  }

  _load(objects, seq) {
    if (this.store.loaded && seq < this.store.seq) return; // never go back in time
    this.store.load(objects, seq);
    for (const s of [...this._held.keys()]) if (s <= seq) this._held.delete(s);
    this._drain();
  }

  _ack(msg) {
    if (!msg.applied) {
      // Nothing changed and no seq was taken: the batch is simply done.
      this.store.drop(msg.batch);
      this._retries = 0;
      this._changed();
      return;
    }
    this._retries = 0;
    this._ordered(msg.seq, { kind: "ack", msg });
  }

  /** One `seq` of the stream, in its place. */
  _ordered(seq, entry) {
    if (typeof seq !== "number") return;
    if (seq <= this.store.seq) {
      // Seen before: a repeated ack confirms what the stream already carried.
      if (entry.kind === "ack" && this.store.drop(entry.msg.batch)) this._changed();
      return;
    }
    const held = this._held.get(seq);
    if (!held || held.kind === "ack") this._held.set(seq, entry); // the server's ops win
    this._drain();
    if (this._held.size) this._requestSync();
  }

  _drain() {
    for (;;) {
      const next = this.store.seq + 1;
      const entry = this._held.get(next);
      if (!entry) break;
      if (entry.kind === "ack" && !this.store.isPending(entry.msg.batch)) {
        break; // our batch, but this page no longer knows its ops: ask for them
      }
      this._held.delete(next);
      if (entry.kind === "ops") {
        const ids = this.store.applyBatch(entry.msg);
        this._emit("remote", { msg: entry.msg, ids });
      } else {
        this.store.applyOwn(entry.msg.batch, next, entry.msg.skipped || []);
      }
      this._changed();
    }
    for (const [seq, entry] of this._held) {
      if (seq > this.store.seq) continue;
      this._held.delete(seq); // covered meanwhile (a catch-up or a snapshot)
      if (entry.kind === "ack" && this.store.drop(entry.msg.batch)) this._changed();
    }
    if (!this._held.size && this._cancelSync) {
      this._cancelSync();
      this._cancelSync = null;
      this._syncReq = null;
    }
  }

  _requestSync() {
    if (!this.online || this._syncReq) return;
    const req = `s${++counter}${this.newId(6)}`;
    this._syncReq = req;
    this._send(JSON.stringify({ type: "sync", since: this.store.seq, req }));
    this._cancelSync = this.schedule(() => {
      // No answer: ask again (the socket may be gone; then the next welcome covers it).
      this._cancelSync = null;
      this._syncReq = null;
      if (this._held.size) this._requestSync();
    }, SYNC_TIMEOUT);
  }

  _catchup(msg) {
    if (msg.req === this._syncReq) {
      this._syncReq = null;
      if (this._cancelSync) this._cancelSync();
      this._cancelSync = null;
    }
    if (Array.isArray(msg.objects)) this._load(msg.objects, msg.seq);
    else for (const entry of msg.catchup || []) this._ordered(entry.seq, { kind: "ops", msg: entry });
    if (this._held.size) this._requestSync();
  }

  _refused(msg) {
    if (RETRY.has(msg.code)) {
      if (!this._sent.has(msg.batch)) return; // already queued again
      const from = this.store.pending.findIndex((p) => p.batch === msg.batch);
      if (from < 0) return;
      for (const p of this.store.pending.slice(from)) this._sent.delete(p.batch);
      this._pause();
      this._emit("retrying", msg);
      return;
    }
    // Refused for good: the batch is dropped, the view falls back, the page says so.
    const dropped = this.store.drop(msg.batch);
    this._changed();
    if (dropped) this._emit("refused", msg);
  }

  _pause() {
    this._paused = true;
    if (this._cancelRetry) this._cancelRetry();
    const ms = Math.min(10000, 250 * 2 ** this._retries++);
    this._cancelRetry = this.schedule(() => {
      this._cancelRetry = null;
      this._paused = false;
      this._flush();
    }, ms);
  }

  /**
   * Send the pending batches not yet sent on this socket, in their original order. A
   * batch over the server's limits is refused here, as the server would refuse it for
   * good: sent, it would close the socket (1009) and be sent again on every reconnect.
   */
  _flush() {
    if (!this.online || this._paused || !this._send) return;
    for (const p of [...this.store.pending]) {
      if (this._sent.has(p.batch)) continue;
      const frame = JSON.stringify({ type: "ops", batch: p.batch, ops: p.ops });
      const { message_bytes: bytes, ops_per_batch: most } = this.limits;
      if (p.ops.length > most || overLimit(frame, bytes)) {
        const message = `too large to send at once (at most ${most} changes and ${bytes} bytes)`;
        this._refused({ type: "error", code: "too_big_to_send", batch: p.batch, message });
        continue;
      }
      this._send(frame);
      this._sent.add(p.batch);
    }
  }

  _changed() {
    this._emit("queue", { pending: this.store.pending.length });
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
