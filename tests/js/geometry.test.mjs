// web/js/geometry.js without a browser: bounds, hits, connector ends, resizing and
// group scaling, and the server's limits it takes from model.generated.js.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bounds, connectorEnds, drawnBounds, groupScaleRange, hit, keptRatio, resizedTo, resizeBox, scaledGroup, sizeLimits, turn } from "../../web/js/geometry.js";
import { RANGES } from "../../web/js/model.generated.js";

const near = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);
const lookupOf = (objs) => {
  const byId = new Map(objs.map((o) => [o.id, o]));
  return (id) => byId.get(id);
};

test("a pen stroke's bounds include half its width on every side", () => {
  const path = { id: "p", kind: "path", x: 10, y: 20, points: [[0, 0], [100, 50]], width: 4 };
  assert.deepEqual(bounds(path, () => null), { x: 8, y: 18, w: 104, h: 54 });
  // The resize box is the points alone: the width stays when a stroke is scaled.
  assert.deepEqual(resizeBox(path), { x: 10, y: 20, w: 100, h: 50 });
});

test("a rotated box is drawn in the box around its turned corners", () => {
  const note = { id: "n", kind: "note", x: 0, y: 0, w: 200, h: 100, rotation: 90 };
  const b = drawnBounds(note, () => null);
  near(b.x, 50);
  near(b.y, -50);
  near(b.w, 100);
  near(b.h, 200);
});

test("a rotated object is hit where it is drawn, not where its unturned box is", () => {
  const note = { id: "n", kind: "note", x: 0, y: 0, w: 200, h: 20, rotation: 90 };
  assert.equal(hit(note, { x: 100, y: -80 }, 0, () => null), true);
  assert.equal(hit(note, { x: 10, y: 10 }, 0, () => null), false);
});

test("a frame is hit by its title bar and border, not its inside", () => {
  const frame = { id: "f", kind: "frame", x: 0, y: 0, w: 400, h: 300 };
  assert.equal(hit(frame, { x: 200, y: -10 }, 2, () => null), true);
  assert.equal(hit(frame, { x: 1, y: 150 }, 2, () => null), true);
  assert.equal(hit(frame, { x: 200, y: 150 }, 2, () => null), false);
});

test("connector ends meet the edges of what they join (rectangle, ellipse)", () => {
  const a = { id: "a", kind: "note", x: 0, y: 0, w: 100, h: 100 };
  const b = { id: "b", kind: "shape", shape: "ellipse", x: 300, y: 0, w: 100, h: 100 };
  const c = { id: "c", kind: "connector", from: { id: "a" }, to: { id: "b" } };
  const [p, q] = connectorEnds(c, lookupOf([a, b, c]));
  assert.deepEqual(p, { x: 100, y: 50 });
  near(q.x, 300);
  near(q.y, 50);
  // A free end stays where it is.
  const free = { id: "d", kind: "connector", from: { id: "a" }, to: { x: 50, y: 400 } };
  const [, end] = connectorEnds(free, lookupOf([a, free]));
  assert.deepEqual(end, { x: 50, y: 400 });
});

test("sizes keep to the page's minimum and the server's maximum", () => {
  assert.deepEqual(sizeLimits({ kind: "note" }, 50), [20, RANGES.w[1]]);
  assert.deepEqual(sizeLimits({ kind: "path" }, 0.5), [0.5, 0.5], "a straight stroke is not stretched");
  assert.deepEqual(sizeLimits({ kind: "path" }, 8), [8, RANGES.w[1]], "a short dash may stay short");
  const image = keptRatio({ x: 0, y: 0, w: 200, h: 100 }, 210, 100);
  assert.deepEqual([image.w, image.h], [210, 105], "an image keeps its proportions");
});

test("resizing a turned box keeps the fixed corner where it was on the board", () => {
  const note = { id: "n", kind: "note", x: 0, y: 0, w: 100, h: 100, rotation: 30 };
  const from = resizeBox(note);
  const set = resizedTo(note, from, { x: 0, y: 0, w: 200, h: 100 }, "nw");
  const corner = (b) => turn({ x: b.x, y: b.y }, { x: b.x + b.w / 2, y: b.y + b.h / 2 }, 30);
  const before = corner(from), after = corner(set);
  assert.ok(Math.abs(before.x - after.x) <= 1 && Math.abs(before.y - after.y) <= 1);
  assert.deepEqual([set.w, set.h], [200, 100]);
});

test("a group scales as one, with a text's font size inside the server's range", () => {
  const text = { id: "t", kind: "text", x: 0, y: 0, w: 100, h: 40, font_size: 400 };
  const note = { id: "n", kind: "note", x: 100, y: 0, w: 100, h: 100 };
  const box = { x: 0, y: 0, w: 200, h: 100 };
  const patches = scaledGroup([text, note], box, "nw", 2);
  assert.deepEqual(patches.get("n"), { x: 200, y: 0, w: 200, h: 200 });
  assert.equal(patches.get("t").font_size, RANGES.font_size[1]);
  const [lo] = groupScaleRange([text, note]);
  assert.equal(lo, 0.5, "the text's 40 high may go to 20, no lower");
});
