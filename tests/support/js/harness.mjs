// Drives the shipped browser sync engine (web/js/sync/engine.js + web/js/store.js) from
// Python tests, one JSON command per line on stdin, one JSON answer per line on stdout.
//
// Each simulated page has its own Store and SyncEngine, exactly as protocol.js builds
// them, but the socket, the timers and the tab's sessionStorage are the test's: frames
// the engine sends are returned in `out` for the test to deliver to the server, timers
// fire only when the test says `timers`, and `reload` rebuilds a page from what its
// sessionStorage would hold (the queue with its batch ids, and the seat).
//
// Commands: {id, cmd, page, ...}
//   new {page}                 a fresh page (empty storage)
//   open {page}                its socket opened: out = [join]
//   close {page}               its socket is gone
//   recv {page, msg}           one server message (already unpacked from any array)
//   edit {page, ops}           the person made a change: result = batch id
//   timers {page}              run every scheduled timer that is due (all of them)
//   reload {page}              the tab reloads: a new Store and engine from its storage
//   state {page}               result = {seq, objects, pending, held, refused, events}
// Answer: {id, out: [frames], result} or {id, error}.

import { createInterface } from "node:readline";
import { Store } from "../../../web/js/store.js";
import { SyncEngine } from "../../../web/js/sync/engine.js";

let ids = 0;
const newId = (n) => `j${(++ids).toString(36)}`.padEnd(Math.min(n, 12), "x");

class Page {
  constructor(name, saved = { queue: [], seat: null }) {
    this.name = name;
    this.out = [];
    this.timers = [];
    this.storage = saved; // what the tab's sessionStorage holds
    this.refused = [];
    this.store = new Store();
    for (const p of saved.queue) this.store.pending.push(structuredClone(p));
    this.engine = new SyncEngine({
      store: this.store,
      token: "",
      name: () => name,
      seat: saved.seat,
      schedule: (fn, ms) => {
        const timer = { fn, ms, live: true };
        this.timers.push(timer);
        return () => {
          timer.live = false;
        };
      },
      newId,
    });
    const engine = this.engine;
    engine.addEventListener("seat", (e) => (this.storage.seat = e.detail));
    engine.addEventListener("queue", () => (this.storage.queue = structuredClone(this.store.pending)));
    engine.addEventListener("refused", (e) => this.refused.push(e.detail));
  }

  state() {
    return {
      seq: this.store.seq,
      objects: [...this.store.confirmed.values()],
      pending: this.store.pending,
      held: this.engine._held.size,
      debug: { online: this.engine.online, paused: this.engine._paused, sent: [...this.engine._sent], timers: this.timers.filter((t) => t.live).length },
      refused: this.refused,
      client: this.engine.you ? this.engine.you.client : null,
    };
  }
}

const pages = new Map();
let token = "";

function run(command) {
  if (command.cmd === "token") {
    token = command.token;
    return null;
  }
  if (command.cmd === "new") {
    pages.set(command.page, new Page(command.page));
    return null;
  }
  const page = pages.get(command.page);
  if (!page) throw new Error(`no page ${command.page}`);
  page.engine.token = token;
  switch (command.cmd) {
    case "open":
      page.engine.attach((text) => page.out.push(text));
      return null;
    case "close":
      page.engine.detach();
      return null;
    case "recv":
      page.engine.receive(command.msg);
      return null;
    case "edit":
      return page.engine.submit(command.ops);
    case "timers": {
      const due = page.timers.filter((t) => t.live);
      page.timers = [];
      for (const t of due) t.fn();
      return due.length;
    }
    case "reload": {
      page.engine.detach();
      const fresh = new Page(page.name, structuredClone(page.storage));
      pages.set(command.page, fresh);
      return null;
    }
    case "state":
      return page.state();
    default:
      throw new Error(`unknown command ${command.cmd}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  let command;
  try {
    command = JSON.parse(line);
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: `bad command: ${e.message}` }) + "\n");
    return;
  }
  let answer;
  try {
    const result = run(command);
    const page = pages.get(command.page);
    const out = page ? page.out.splice(0) : [];
    answer = { id: command.id, out, result };
  } catch (e) {
    answer = { id: command.id, error: String(e && e.stack ? e.stack : e) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
