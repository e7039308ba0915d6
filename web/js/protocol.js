// The live connection: join, welcome/catch-up, batches with acks, an offline queue
// that is resent with the same batch ids, presence, and reconnecting with `since`.
//
// Events: "state" {state: connecting|online|offline, pending}, "welcome", "remote"
// {msg, ids}, "presence", "peer_joined", "peer_left", "error" {code, message, batch},
// "fatal" {code} (bad link or deleted board: no reconnect).

import { randomId, readJSON, writeJSON } from "./util.js";

const FATAL = { 4001: "unauthorized", 4004: "deleted", 4002: "bad_join" };

export class Connection extends EventTarget {
  constructor({ boardId, token, name, store }) {
    super();
    this.boardId = boardId;
    this.token = token;
    this.name = name;
    this.store = store;
    this.ws = null;
    this.state = "connecting";
    this.you = null;
    this.board = null;
    this.retry = 0;
    this.closedForGood = false;
    this.sent = new Set(); // batch ids sent on the current socket
    this.beforeSend = null; // (ops) => void, called for every local batch
    this.queueKey = `samskap.queue.${boardId}`;
    this.clientId = this._clientId();
    this.lastMessage = 0;
    this._online = () => this._reconnectNow();
    this._offline = () => this._dropSocket("offline");
    window.addEventListener("online", this._online);
    window.addEventListener("offline", this._offline);
    this._pinger = setInterval(() => this._ping(), 15000);
    // A queue left by a reload while offline is restored first.
    for (const p of readJSON(sessionStorage, this.queueKey, [])) {
      if (p && typeof p.batch === "string" && Array.isArray(p.ops)) store.pending.push(p);
    }
  }

  _clientId() {
    const key = "samskap.client";
    let id = sessionStorage.getItem(key);
    if (!id) {
      id = randomId(20);
      sessionStorage.setItem(key, id);
    }
    return id;
  }

  get canEdit() {
    return this.you && this.you.role !== "viewer";
  }

  connect() {
    if (this.closedForGood) return;
    clearTimeout(this._timer);
    this._setState("connecting");
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}/ws/boards/${encodeURIComponent(this.boardId)}`);
    this.ws = ws;
    this.sent = new Set();
    ws.addEventListener("open", () => {
      const join = { type: "join", token: this.token, name: this.name, client: this.clientId };
      if (this.store.loaded) join.since = this.store.seq;
      ws.send(JSON.stringify(join));
    });
    ws.addEventListener("message", (ev) => {
      if (ws !== this.ws) return;
      this.lastMessage = performance.now();
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return;
      }
      for (const msg of Array.isArray(data) ? data : [data]) this._handle(msg);
    });
    ws.addEventListener("close", (ev) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this._setState("offline");
      if (FATAL[ev.code]) {
        this.closedForGood = true;
        this.dispatchEvent(new CustomEvent("fatal", { detail: { code: FATAL[ev.code] } }));
        return;
      }
      if (ev.code === 4008) return this._connectSoon(0);
      if (ev.code === 4029) return this._connectSoon(5000);
      this._connectSoon(Math.min(10000, 400 * 2 ** this.retry++));
    });
  }

  /**
   * Give up the socket at once: offline now, without waiting for its close event. With
   * the network gone, the closing handshake cannot finish and the close event may come
   * seconds later (or not before the network is back); meanwhile the page would still
   * say "saved" and treat the socket as usable.
   */
  _dropSocket(reason) {
    const ws = this.ws;
    if (!ws || this.closedForGood) return;
    this.ws = null; // its late close event is ignored (ws !== this.ws)
    try {
      ws.close(4000, reason);
    } catch {
      // already closing
    }
    this._setState("offline");
    this._connectSoon(Math.min(10000, 400 * 2 ** this.retry++));
  }

  /** The network is back: connect now, not after the back-off, even if an attempt hangs. */
  _reconnectNow() {
    if (this.closedForGood) return;
    this.retry = 0;
    if (this.ws && this.ws.readyState !== WebSocket.OPEN) {
      const stale = this.ws;
      this.ws = null;
      try {
        stale.close();
      } catch {
        // never opened
      }
    }
    this._connectSoon(0);
  }

  _connectSoon(ms) {
    if (this.closedForGood || this.ws) return;
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this.connect(), ms);
  }

  _ping() {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (this.state === "online" && performance.now() - this.lastMessage > 45000) {
      this._dropSocket("silent");
      return;
    }
    ws.send('{"type":"ping"}');
  }

  _setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, pending: this.store.pending.length } }));
  }

  _save() {
    writeJSON(sessionStorage, this.queueKey, this.store.pending);
  }

  _handle(msg) {
    const store = this.store;
    switch (msg.type) {
      case "welcome": {
        this.retry = 0;
        this.you = msg.you;
        this.board = msg.board || this.board;
        if (Array.isArray(msg.catchup)) {
          for (const entry of msg.catchup) {
            const ids = store.applyRemote(entry);
            if (entry.by !== this.you.client) this._remote(entry, ids);
          }
          if (typeof msg.seq === "number" && msg.seq > store.seq) store.seq = msg.seq;
        } else {
          store.load(msg.objects || [], msg.seq || 0);
        }
        this._setState("online");
        this.dispatchEvent(new CustomEvent("welcome", { detail: msg }));
        this._flush();
        break;
      }
      case "ack":
        store.ack(msg.batch, msg.seq, msg.skipped || []);
        this._save();
        this._setState(this.state);
        break;
      case "ops": {
        const ids = store.applyRemote(msg);
        this._remote(msg, ids);
        break;
      }
      case "error":
        if (msg.batch && ["invalid_op", "forbidden", "not_found", "too_large"].includes(msg.code)) {
          store.reject(msg.batch);
          this._save();
          this._setState(this.state);
        } else if (msg.batch && msg.code === "rate_limited") {
          // Not applied: send it again a little later.
          this.sent.delete(msg.batch);
          setTimeout(() => this._flush(), 1000);
        }
        this.dispatchEvent(new CustomEvent("error", { detail: msg }));
        break;
      case "presence":
      case "peer_joined":
      case "peer_left":
        this.dispatchEvent(new CustomEvent(msg.type, { detail: msg }));
        break;
      default:
        this.dispatchEvent(new CustomEvent(msg.type, { detail: msg }));
    }
  }

  _remote(msg, ids) {
    this.dispatchEvent(new CustomEvent("remote", { detail: { msg, ids } }));
  }

  /** Send the queued batches not yet sent on this socket, oldest first. */
  _flush() {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.state !== "online") return;
    for (const p of this.store.pending) {
      if (this.sent.has(p.batch)) continue;
      ws.send(JSON.stringify({ type: "ops", batch: p.batch, ops: p.ops }));
      this.sent.add(p.batch);
    }
  }

  /** Apply `ops` locally at once and send them (or queue them while offline). */
  send(ops) {
    if (!ops.length) return null;
    if (this.beforeSend) this.beforeSend(ops);
    const batch = randomId(20);
    this.store.addLocal(batch, ops);
    this._save();
    this._flush();
    this._setState(this.state);
    return batch;
  }

  presence(body) {
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN && this.state === "online")
      ws.send(JSON.stringify({ type: "presence", ...body }));
  }

  /** Send a message that is not queued offline; true when it went out. */
  sendRaw(msg) {
    const ws = this.ws;
    if (!(ws && ws.readyState === WebSocket.OPEN && this.state === "online")) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }
}
