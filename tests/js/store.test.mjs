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

// Store.load rebuilds the view in bulk (a copy of the confirmed map, then only the ids
// the pending batches touch): these pin what that copy must keep.
test("a load puts the pending batches on top of the new board, in order", () => {
  const store = new Store();
  store.pending.push(
    { batch: "b1", ops: [{ op: "update", id: "n2", set: { x: 7 } }, note("mine")] },
    { batch: "b2", ops: [{ op: "delete", id: "n3" }, { op: "update", id: "mine", set: { text: "later" } }] },
  );
  const objects = Array.from({ length: 1000 }, (_, i) => ({ id: `n${i}`, kind: "note", x: i, y: 0, color: "#FFF59D" }));
  store.load(objects, 12);
  assert.equal(store.view.size, 1000); // 1,000 less n3 plus mine
  assert.equal(store.get("n2").x, 7);
  assert.equal(store.get("mine").text, "later");
  assert.equal(store.has("n3"), false);
  assert.equal(store.get("n999").color, "#fff59d"); // defaults filled, colours lower case
  assert.equal(store.get("n999").w, 200);
  // The confirmed board is the server's alone, and a separate map from the view.
  assert.equal(store.confirmed.get("n2").x, 2);
  assert.ok(store.confirmed.has("n3") && !store.confirmed.has("mine"));
  assert.notEqual(store.view, store.confirmed);
  store.applyBatch({ seq: 13, ops: [{ op: "delete", id: "n5" }] });
  assert.ok(!store.has("n5") && !store.confirmed.has("n5"));
  store.drop("b2");
  assert.equal(store.has("n3"), true); // back to what the server has
  assert.equal(store.get("mine").text, "");
});

test("a second load replaces the view: what the new board lacks is gone", () => {
  const store = new Store();
  store.load([{ id: "a", kind: "note", x: 0, y: 0 }, { id: "b", kind: "note", x: 0, y: 0 }], 1);
  store.addLocal("b1", [{ op: "update", id: "a", set: { x: 3 } }]);
  let changes = 0;
  store.addEventListener("change", (e) => {
    changes++;
    assert.equal(e.detail.ids, null);
  });
  store.load([{ id: "c", kind: "note", x: 0, y: 0 }], 5);
  assert.deepEqual([...store.view.keys()].sort(), ["c"]); // the update of "a" has nothing under it
  assert.equal(changes, 1);
  assert.deepEqual(store.sorted().map((o) => o.id), ["c"]);
});
