// The workshop session as the server sends it (`session` messages, also inside
// `welcome`): timer, private mode, voting, permissions, lock, follow, agenda step.
// Keeps the server clock offset (from `now`) so every client shows the same time,
// this client's own votes, and the ids of its own private notes.
//
// Events: "change" {before, after} after every session message, "votes" after a
// `votes` message.

import { SESSION_DEFAULT } from "./model.generated.js";
import { readJSON, writeJSON } from "./util.js";

// The session's initial state, as server/domain/facilitation.py's initial_state().
const DEFAULT = SESSION_DEFAULT;

export class SessionState extends EventTarget {
  constructor(conn, boardId) {
    super();
    this.conn = conn;
    this.state = { ...DEFAULT };
    this.agenda = [];
    this.offset = 0; // server clock minus local clock, ms
    this.mine = {}; // note id -> my votes on it
    this.remaining = null;
    // Votes sent and not yet answered. Answers come in order, each for the state after
    // its own request; taking an older one while newer requests are out would undo
    // their optimistic effect (the page would think a vote was left, and offer it).
    this.votesInFlight = 0;
    this.privateKey = `samskap.private.${boardId}`;
    this.myPrivate = new Set(readJSON(sessionStorage, this.privateKey, []));
    this.role = "viewer";
    conn.addEventListener("welcome", (e) => {
      this.role = e.detail.you.role;
      this.votesInFlight = 0; // unanswered requests died with the old socket
      this.apply(e.detail);
    });
    conn.addEventListener("session", (e) => this.apply(e.detail));
    conn.addEventListener("votes", (e) => {
      this.confirmedVotes = { mine: { ...(e.detail.mine || {}) }, remaining: e.detail.remaining };
      this._answered();
    });
  }

  apply(msg) {
    if (typeof msg.now === "number") this.offset = msg.now - Date.now();
    if (Array.isArray(msg.agenda)) this.agenda = msg.agenda;
    if (!msg.session) return;
    const before = this.state;
    const after = { ...DEFAULT, ...msg.session };
    this.state = after;
    const wasOpen = !!(before.voting && before.voting.open);
    const isOpen = !!(after.voting && after.voting.open);
    if (isOpen && (!wasOpen || before.voting.votes !== after.voting.votes)) {
      // A newly opened vote starts with a full budget (the server clears old votes).
      this.mine = {};
      this.remaining = after.voting.votes;
      this.confirmedVotes = null;
      this.votesInFlight = 0;
    }
    if (!after.voting) {
      this.mine = {};
      this.remaining = null;
    }
    if (!after.private && this.myPrivate.size) {
      this.myPrivate.clear();
      this._savePrivate();
    }
    this.dispatchEvent(new CustomEvent("change", { detail: { before, after } }));
  }

  get isFacilitator() {
    return this.role === "facilitator";
  }

  /** The server's clock now, corrected for this machine's skew. */
  serverNow() {
    return Date.now() + this.offset;
  }

  /** Milliseconds left on the shared timer, or null when there is none. */
  timerLeft() {
    const timer = this.state.timer;
    if (!timer) return null;
    if (!timer.running) return Math.max(0, timer.remaining || 0);
    return Math.max(0, timer.ends_at - this.serverNow());
  }

  /** Do my new objects stay private (participants, while private mode is on)? */
  get writesPrivately() {
    return this.state.private && this.role === "participant";
  }

  notePrivate(id) {
    this.myPrivate.add(id);
    this._savePrivate();
  }

  isMyPrivate(obj) {
    return !!obj.private || this.myPrivate.has(obj.id);
  }

  _savePrivate() {
    writeJSON(sessionStorage, this.privateKey, [...this.myPrivate]);
  }

  // --- voting ------------------------------------------------------------------------

  get votingOpen() {
    const v = this.state.voting;
    return !!(v && v.open) && this.role !== "viewer" && this.state.permissions.vote !== false;
  }

  /** Closed-vote totals by note id (empty while the vote is open). */
  results() {
    const v = this.state.voting;
    return new Map(((v && !v.open && v.results) || []).map((r) => [r.id, r.votes]));
  }

  myVotes(id) {
    return this.mine[id] || 0;
  }

  /** Why a vote on `id` cannot be given now (a string key), or null. */
  voteBlocker(id) {
    const v = this.state.voting;
    if (!this.votingOpen) return "vote.closed";
    if ((this.remaining ?? v.votes) <= 0) return "vote.none_left";
    if (this.myVotes(id) >= v.per_note) return "vote.per_note";
    return null;
  }

  /** A vote was refused; it changed nothing on the server. */
  rollbackVotes() {
    this._answered();
  }

  /**
   * One vote request answered (`votes`, or a refusal). Once none is left out, the
   * page shows what the server last confirmed; until then, its own optimistic count.
   */
  _answered() {
    this.votesInFlight = Math.max(0, this.votesInFlight - 1);
    if (this.votesInFlight > 0) return;
    const last = this.confirmedVotes;
    const v = this.state.voting;
    this.mine = last ? { ...last.mine } : {};
    this.remaining = last ? last.remaining : v ? v.votes : null;
    this.dispatchEvent(new Event("votes"));
  }

  vote(id) {
    this._request({ type: "vote", id });
  }

  unvote(id) {
    this._request({ type: "unvote", id });
  }

  /** A vote request; its answer (`votes` or a refusal) is matched by its `req`. */
  _request(msg) {
    const answer = this.conn.request(msg);
    this.votesInFlight += 1;
    answer.then(
      (reply) => {
        if (reply.type !== "error") return; // `votes` came as an event as well
        this.dispatchEvent(new CustomEvent("refused", { detail: reply }));
        this._answered();
      },
      () => this._answered(), // the socket went: the welcome resets the count
    );
  }

  // --- facilitator --------------------------------------------------------------------

  /**
   * Run a facilitation command; resolves with the reply (`session` or `error`). With no
   * socket (between a drop and the next welcome) nothing is sent: it resolves with an
   * `offline` error, said to the facilitator like a refusal, never dropped in silence.
   */
  facilitate(action, body = {}) {
    const answer = this.conn
      .request({ type: "facilitate", action, ...body })
      .catch(() => ({ type: "error", code: "offline", action, message: "not connected" }));
    answer.then((reply) => {
      if (reply.type === "error") this.dispatchEvent(new CustomEvent("refused", { detail: reply }));
    });
    return answer;
  }
}
