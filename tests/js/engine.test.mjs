// The page's sync engine without a browser: the rules of docs/client.md, one by one.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Store } from "../../web/js/store.js";
import { SyncEngine } from "../../web/js/sync/engine.js";

function page({ seat = null } = {}) {
  const sent = [];
  const timers = [];
  let n = 0;
  const store = new Store();
  const engine = new SyncEngine({
    store,
    token: "tok",
    name: () => "Kari",
    seat,
    schedule: (fn, ms) => {
      const timer = { fn, ms, live: true };
      timers.push(timer);
      return () => (timer.live = false);
    },
    newId: () => `id${++n}`,
  });
  const out = () => sent.splice(0).map((text) => JSON.parse(text));
  const fire = () => timers.splice(0).filter((t) => t.live).forEach((t) => t.fn());
  engine.attach((text) => sent.push(text));
  return { store, engine, out, fire };
}

const welcome = (seq = 0, extra = {}) => ({
  type: "welcome",
  version: "1",
  you: { client: "me", resume: "secret-secret-secret", role: "participant" },
  peers: [],
  seq,
  objects: [],
  ...extra,
});
const note = (id) => ({ op: "create", object: { id, kind: "note", x: 0, y: 0 } });

test("S18: the join carries the seat's resume secret, and the welcome gives one", () => {
  const p = page({ seat: { client: "me", resume: "old-secret-old-secret" } });
  const [join] = p.out();
  assert.equal(join.type, "join");
  assert.equal(join.resume, "old-secret-old-secret");
  let seat = null;
  p.engine.addEventListener("seat", (e) => (seat = e.detail));
  p.engine.receive(welcome());
  assert.deepEqual(seat, { client: "me", resume: "secret-secret-secret" });
});

test("offline edits are sent after the welcome, in order, with their ids", () => {
  const p = page();
  p.out();
  const a = p.engine.submit([note("a")]);
  const b = p.engine.submit([note("b")]);
  assert.deepEqual(p.out(), []); // not welcomed yet: queued
  p.engine.receive(welcome());
  assert.deepEqual(p.out().map((m) => m.batch), [a, b]);
});

test("S15: a jump holds later batches and asks with sync; the catch-up fills the gap", () => {
  const p = page();
  p.engine.receive(welcome(3));
  p.out();
  p.engine.receive({ type: "ops", seq: 5, by: "x", batch: "q5", ops: [note("n5")] });
  const [sync] = p.out();
  assert.equal(sync.type, "sync");
  assert.equal(sync.since, 3);
  assert.equal(p.store.seq, 3);
  p.engine.receive({ type: "catchup", req: sync.req, seq: 5, catchup: [{ type: "ops", seq: 4, by: "x", batch: "q4", ops: [note("n4")] }] });
  assert.equal(p.store.seq, 5);
  assert.ok(p.store.has("n4") && p.store.has("n5"));
});

test("S17: an ack is applied in its slot; a repeated ack only confirms", () => {
  const p = page();
  p.engine.receive(welcome(0));
  p.out();
  const b = p.engine.submit([note("mine")]);
  p.engine.receive({ type: "ops", seq: 1, by: "x", batch: "o1", ops: [note("theirs")] });
  p.engine.receive({ type: "ack", batch: b, seq: 2, skipped: [], applied: true });
  assert.equal(p.store.seq, 2);
  assert.equal(p.store.pending.length, 0);
  p.engine.receive({ type: "ack", batch: b, seq: 2, skipped: [], applied: true, duplicate: true });
  assert.equal(p.store.seq, 2);
});

test("a batch refused with 'try again' is resent with every later one, in order", () => {
  const p = page();
  p.engine.receive(welcome(0));
  p.out();
  const a = p.engine.submit([note("a")]);
  const b = p.engine.submit([note("b")]);
  assert.equal(p.out().length, 2);
  p.engine.receive({ type: "error", code: "unavailable", batch: a, message: "x" });
  p.engine.receive({ type: "error", code: "unavailable", batch: b, message: "x" });
  assert.deepEqual(p.out(), []); // backing off
  p.fire();
  assert.deepEqual(p.out().map((m) => m.batch), [a, b]);
});

test("a batch refused for good is dropped and said", () => {
  const p = page();
  p.engine.receive(welcome(0));
  p.out();
  const a = p.engine.submit([note("a")]);
  let said = null;
  p.engine.addEventListener("refused", (e) => (said = e.detail.code));
  p.engine.receive({ type: "error", code: "invalid_op", batch: a, message: "bad" });
  assert.equal(said, "invalid_op");
  assert.equal(p.store.has("a"), false);
});

test("a batch over the server's limits is refused here and never sent", () => {
  const p = page();
  p.out();
  p.engine.receive(welcome(0, { limits: { message_bytes: 1000, ops_per_batch: 3 } }));
  const refused = [];
  p.engine.addEventListener("refused", (e) => refused.push(e.detail));
  // 480 characters of "ø" are 960 bytes: under the limit in characters, over in bytes.
  const big = p.engine.submit([{ op: "create", object: { id: "t", kind: "note", x: 0, y: 0, text: "ø".repeat(480) } }]);
  const many = p.engine.submit([note("a"), note("b"), note("c"), note("d")]);
  const fits = p.engine.submit([note("e")]);
  assert.deepEqual(p.out().map((m) => m.batch), [fits]);
  assert.deepEqual(refused.map((r) => [r.batch, r.code]), [
    [big, "too_big_to_send"],
    [many, "too_big_to_send"],
  ]);
  assert.deepEqual(["t", "a", "e"].map((id) => p.store.has(id)), [false, false, true]); // fell back
  assert.deepEqual(p.store.pending.map((b) => b.batch), [fits]);
});

test("without limits in the welcome, the server's defaults hold", () => {
  const p = page();
  p.out();
  p.engine.receive(welcome());
  const refused = [];
  p.engine.addEventListener("refused", (e) => refused.push(e.detail.code));
  p.engine.submit([{ op: "create", object: { id: "t", kind: "note", x: 0, y: 0, text: "x".repeat(600 * 1024) } }]);
  const ok = p.engine.submit([{ op: "create", object: { id: "u", kind: "note", x: 0, y: 0, text: "x".repeat(500 * 1024) } }]);
  assert.deepEqual(refused, ["too_big_to_send"]);
  assert.deepEqual(p.out().map((m) => m.batch), [ok]);
});

test("replies are matched by req, never guessed", async () => {
  const p = page();
  p.engine.receive(welcome(0));
  p.out();
  const answer = p.engine.request({ type: "vote", id: "n1" });
  const [vote] = p.out();
  p.engine.receive({ type: "error", code: "forbidden", message: "other" }); // not ours
  p.engine.receive({ type: "votes", req: vote.req, mine: { n1: 1 }, remaining: 2 });
  assert.equal((await answer).remaining, 2);
});
