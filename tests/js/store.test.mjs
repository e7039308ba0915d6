// Store: confirmed + pending = view; strict seq order (docs/client.md, S17).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Store } from "../../web/js/store.js";

const note = (id, extra = {}) => ({ op: "create", object: { id, kind: "note", x: 0, y: 0, ...extra } });

test("a local batch shows at once and its ack confirms it in its slot", () => {
  const store = new Store();
  store.load([], 0);
  store.addLocal("b1", [note("n1")]);
  assert.equal(store.get("n1").color, "#fff59d"); // defaults as the server fills them
  store.applyOwn("b1", 1, []);
  assert.equal(store.seq, 1);
  assert.equal(store.pending.length, 0);
  assert.ok(store.confirmed.has("n1"));
});

test("skipped ops of an acked batch are not confirmed", () => {
  const store = new Store();
  store.load([], 0);
  store.addLocal("b1", [note("n1"), { op: "update", id: "gone", set: { x: 1 } }]);
  store.applyOwn("b1", 1, [1]);
  assert.deepEqual([...store.confirmed.keys()], ["n1"]);
});

test("S17: a batch that is not the next seq is refused loudly", () => {
  const store = new Store();
  store.load([], 4);
  assert.throws(() => store.applyBatch({ seq: 6, ops: [] }), /batch 6 applied at 4/);
  assert.throws(() => store.applyBatch({ seq: 4, ops: [] }), /batch 4 applied at 4/);
  store.applyBatch({ seq: 5, ops: [] });
  assert.equal(store.seq, 5);
});

test("our own batch coming back as ops (a catch-up) leaves the queue", () => {
  const store = new Store();
  store.load([], 0);
  store.addLocal("b1", [note("n1", { text: "mine" })]);
  store.applyBatch({ seq: 1, batch: "b1", by: "me", ops: [note("n1", { text: "mine" })] });
  assert.equal(store.pending.length, 0);
  assert.equal(store.get("n1").text, "mine");
});

test("a server create revives a deleted id (restore); a local one does not", () => {
  const store = new Store();
  store.load([{ id: "n1", kind: "note", x: 0, y: 0 }], 0);
  store.applyBatch({ seq: 1, ops: [{ op: "delete", id: "n1" }] });
  store.addLocal("b1", [note("n1", { text: "again" })]);
  assert.equal(store.has("n1"), false);
  store.drop("b1");
  store.applyBatch({ seq: 2, ops: [note("n1", { text: "restored" })] });
  assert.equal(store.get("n1").text, "restored");
});

test("the view is confirmed with pending on top, and falls back when dropped", () => {
  const store = new Store();
  store.load([{ id: "n1", kind: "note", x: 0, y: 0 }], 0);
  store.addLocal("b1", [{ op: "update", id: "n1", set: { x: 50 } }]);
  assert.equal(store.get("n1").x, 50);
  store.applyBatch({ seq: 1, ops: [{ op: "update", id: "n1", set: { y: 9 } }] });
  assert.deepEqual([store.get("n1").x, store.get("n1").y], [50, 9]);
  store.drop("b1");
  assert.deepEqual([store.get("n1").x, store.get("n1").y], [0, 9]);
});
