// The live connection in the browser: a WebSocket, reconnecting with back-off, the
// offline queue and the seat kept in sessionStorage (they survive a reload of the tab),
// and the sync engine (sync/engine.js) that holds every rule about order and resends.
//
// Events: "state" {state: connecting|online|offline, pending}, "welcome", "remote"
// {msg, ids}, "presence", "peer_joined", "peer_left", "session", "votes", "summon",
// "board", "error" {code, message} (not about a batch), "refused" {code, message, batch}
// (a batch the server refused for good: the view fell back), "retrying" (a batch is
// sent again after "try again"), "fatal" {code} (bad link, deleted board, or this seat
// opened elsewhere, or removed by the facilitator: no reconnect), "link" {role, token}
// (this role's link was replaced keeping seats, rule M6: reconnects use the new token).

import { SyncEngine } from "./sync/engine.js";
import { randomId, readJSON, writeJSON } from "./util.js";

const FATAL = { 4001: "unauthorized", 4004: "deleted", 4002: "bad_join", 4009: "replaced", 4010: "removed" };
const PASSED_ON = new Set(["welcome", "remote", "refused", "retrying", "error", "seat", "queue"]);

function schedule(fn, ms) {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
}

export class Connection extends EventTarget {
  constructor({ boardId, token, name, store }) {
    super();
    this.boardId = boardId;
    this.name = name;
    this.store = store;
    this.ws = null;
    this.state = "connecting";
    this.retry = 0;
    this.closedForGood = false;
    this.beforeSend = null; // (ops) => void, called for every local batch
    this.queueKey = `samskap.queue.${boardId}`;
    this.seatKey = `samskap.seat.${boardId}`;
    this.lastMessage = 0;
    this._backlog = null; // while held: what the socket said, to be replayed by release()
    // A queue left by a reload while offline is restored first, with its batch ids.
    for (const p of readJSON(sessionStorage, this.queueKey, [])) {
      if (p && typeof p.batch === "string" && Array.isArray(p.ops)) store.pending.push(p);
    }
    const seat = readJSON(sessionStorage, this.seatKey, null);
    this.engine = new SyncEngine({
      store,
      token,
      name: () => this.name,
      seat: seat && typeof seat.resume === "string" ? seat : null,
      schedule,
      newId: randomId,
    });
    this._wire();
    this._online = () => this._reconnectNow();
    this._offline = () => this._dropSocket("offline");
    window.addEventListener("online", this._online);
    window.addEventListener("offline", this._offline);
    this._pinger = setInterval(() => this._ping(), 15000);
  }

  _wire() {
    const engine = this.engine;
    engine.addEventListener("seat", (e) => writeJSON(sessionStorage, this.seatKey, e.detail));
    engine.addEventListener("queue", () => {
      writeJSON(sessionStorage, this.queueKey, this.store.pending);
      this._setState(this.state);
    });
    engine.addEventListener("link", (e) => {
      const { role, token } = e.detail || {};
      if (typeof token !== "string" || !this.you || role !== this.you.role) return;
      this.engine.token = token;
      // The address bar too, so a reload of this tab still gets in (the fragment only).
      const params = new URLSearchParams(location.hash.slice(1));
      params.set("t", token);
      history.replaceState(history.state, "", `${location.pathname}${location.search}#${params}`);
      this.dispatchEvent(new CustomEvent("link", { detail: { role, token } }));
    });
    engine.addEventListener("welcome", () => {
      this.retry = 0;
      this._setState("online");
    });
    // Everything the engine says is said again by the connection, under the same name.
    const pass = (type) => engine.addEventListener(type, (e) => this.dispatchEvent(new CustomEvent(type, { detail: e.detail })));
    for (const type of PASSED_ON) if (type !== "seat" && type !== "queue") pass(type);
    for (const type of ["presence", "peer_joined", "peer_left", "session", "votes", "summon", "board", "pong", "private_count"]) pass(type);
  }

  get you() {
    return this.engine.you;
  }

  get board() {
    return this.engine.board;
  }

  get clientId() {
    return this.engine.you ? this.engine.you.client : null;
  }

  get canEdit() {
    return this.you && this.you.role !== "viewer";
  }

  /**
   * Keep what the socket says (messages, its close) until release(): the board page
   * opens the socket before it has built the parts that listen (docs/client.md).
   */
  hold() {
    if (!this._backlog) this._backlog = [];
  }

  /** Replay, in order, what the socket said while held; from now on it is handled at once. */
  release() {
    const backlog = this._backlog || [];
    this._backlog = null;
    for (const fn of backlog) fn();
  }

  _later(fn) {
    if (this._backlog) this._backlog.push(fn);
    else fn();
  }

  connect() {
    if (this.closedForGood) return;
    clearTimeout(this._timer);
    this._setState("connecting");
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}/ws/boards/${encodeURIComponent(this.boardId)}`);
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (ws !== this.ws) return;
      performance.mark("samskap:socket-open");
      this.engine.attach((text) => ws.send(text));
    });
    ws.addEventListener("message", (ev) => {
      if (ws !== this.ws) return;
      const t0 = (this.lastMessage = performance.now());
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return;
      }
      const msgs = Array.isArray(data) ? data : [data];
      const welcome = msgs.some((m) => m && m.type === "welcome");
      if (welcome) {
        // Start-up marks (bench/open_breakdown.py reads them).
        performance.mark("samskap:welcome-received", { startTime: t0 });
        performance.mark("samskap:welcome-parsed");
      }
      this._later(() => {
        if (ws !== this.ws) return;
        for (const msg of msgs) this.engine.receive(msg);
        if (welcome) performance.mark("samskap:welcome-handled");
      });
    });
    ws.addEventListener("close", (ev) => this._later(() => this._closed(ws, ev)));
  }

  /** The socket closed: offline, then reconnect after a back-off, or stop for good. */
  _closed(ws, ev) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.engine.detach();
    this._setState("offline");
    if (FATAL[ev.code]) {
      this.closedForGood = true;
      this.dispatchEvent(new CustomEvent("fatal", { detail: { code: FATAL[ev.code] } }));
      return;
    }
    if (ev.code === 4008 || ev.code === 1012) return this._connectSoon(0);
    if (ev.code === 4029) return this._connectSoon(5000);
    this._connectSoon(Math.min(10000, 400 * 2 ** this.retry++));
  }

  /** After "opened in another tab": take the seat back here, on the person's word. */
  reclaim() {
    this.closedForGood = false;
    this.retry = 0;
    this.connect();
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
    this.engine.detach();
    try {
      ws.close(4000, reason);
    } catch {
      // already closing
    }
    this._setState("offline");
    this._connectSoon(Math.min(10000, 400 * 2 ** this.retry++));
  }

  /** Reconnect now (a new name, the network back), not after the back-off. */
  _reconnectNow() {
    if (this.closedForGood) return;
    this.retry = 0;
    if (this.ws) {
      const stale = this.ws;
      this.ws = null;
      this.engine.detach();
      try {
        stale.close(4000, "reconnect");
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
    this.engine.notify({ type: "ping" });
  }

  _setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, pending: this.store.pending.length } }));
  }

  /** Apply `ops` locally at once and send them (or queue them while offline). */
  send(ops) {
    if (!ops.length) return null;
    if (this.beforeSend) this.beforeSend(ops);
    return this.engine.submit(ops);
  }

  /** Send a message that expects a reply; resolves with it (maybe an `error`). */
  request(msg) {
    return this.engine.request(msg);
  }

  presence(body) {
    this.engine.notify({ type: "presence", ...body });
  }

  /** Send a message that is not queued offline and expects no reply; true when sent. */
  sendRaw(msg) {
    return this.engine.notify(msg);
  }
}
