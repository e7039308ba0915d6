// Undo respects others: a field someone else changed since is left alone (issue 17).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Store } from "../../web/js/store.js";
import { UndoStack, inverseOf } from "../../web/js/undo.js";

test("undo sets back only the fields nobody else changed since", () => {
  const store = new Store();
  store.load([{ id: "n1", kind: "note", x: 0, y: 0, text: "før" }], 0);
  const sent = [];
  const undo = new UndoStack(store, (ops) => sent.push(ops));
  const forward = [{ op: "update", id: "n1", set: { x: 100, text: "Karis" } }];
  undo.record(forward, inverseOf(forward, store));
  store.applyBatch({ seq: 1, ops: forward });
  store.applyBatch({ seq: 2, ops: [{ op: "update", id: "n1", set: { text: "Olas" } }] });
  assert.equal(undo.undo(), true);
  assert.deepEqual(sent, [[{ op: "update", id: "n1", set: { x: 0 } }]]);
  assert.equal(undo.lastSkipped, 1);
});

test("with nobody else in between, undo and redo restore everything", () => {
  const store = new Store();
  store.load([{ id: "n1", kind: "note", x: 0, y: 0 }], 0);
  const sent = [];
  const undo = new UndoStack(store, (ops) => sent.push(ops));
  const forward = [{ op: "update", id: "n1", set: { x: 7 } }];
  undo.record(forward, inverseOf(forward, store));
  store.applyBatch({ seq: 1, ops: forward });
  undo.undo();
  assert.deepEqual(sent.pop(), [{ op: "update", id: "n1", set: { x: 0 } }]);
  store.applyBatch({ seq: 2, ops: [{ op: "update", id: "n1", set: { x: 0 } }] });
  undo.redo();
  assert.deepEqual(sent.pop(), [{ op: "update", id: "n1", set: { x: 7 } }]);
  assert.equal(undo.lastSkipped, 0);
});
