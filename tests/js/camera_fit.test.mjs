// The fit maths of readable first (web/js/camera.js fitView, revealView; web/js/readable.js)
// without a browser: a frame in the free area, the readable floor, the anchors.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fitView, revealView } from "../../web/js/camera.js";
import { focusRect, lowerMedian, NOTE_TEXT_PX, READABLE_MAX_ZOOM, READABLE_PX, readableZoom } from "../../web/js/readable.js";

const near = (a, b, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);
const screen = (v, wx, wy) => ({ x: (wx - v.x) * v.zoom, y: (wy - v.y) * v.zoom });

// A brainstorming frame (3120 x 1880) on a 768 x 1024 tablet whose tool column ends at 72 px.
const FRAME = { x: 1000, y: 500, w: 3120, h: 1880 };
const TABLET = { x: 72, y: 0, w: 696, h: 970 };

test("a frame that fits is centred in the free area, not under the tool column", () => {
  const v = fitView({ x: 0, y: 0, w: 400, h: 300 }, TABLET, { margin: 32, maxFit: 1 });
  assert.equal(v.zoom, 1);
  const tl = screen(v, 0, 0);
  near(tl.x, 72 + (696 - 400) / 2);
  near(tl.y, (970 - 300) / 2);
});

test("the readable floor wins over the fit; the frame's top-left corner is shown", () => {
  const fit = fitView(FRAME, TABLET, { margin: 32 });
  near(fit.zoom, (696 - 64) / 3120); // about 20 %: text would be grey bars
  const v = fitView(FRAME, TABLET, { margin: 32, floor: 0.5, anchor: "start" });
  assert.equal(v.zoom, 0.5);
  const tl = screen(v, FRAME.x, FRAME.y);
  near(tl.x, 72 + 32); // right of the tool column, with the margin
  near(tl.y, 32);
  // Centred instead (a summoned view): the frame's middle is the free area's middle.
  const c = fitView(FRAME, TABLET, { margin: 32, floor: 0.5, anchor: "center" });
  const mid = screen(c, FRAME.x + FRAME.w / 2, FRAME.y + FRAME.h / 2);
  near(mid.x, 72 + 696 / 2);
  near(mid.y, 970 / 2);
});

test("the floor never zooms in past its cap, and a fit never past maxFit", () => {
  assert.equal(fitView(FRAME, TABLET, { floor: 5, maxZoom: 1.5 }).zoom, 1.5);
  assert.equal(fitView({ x: 0, y: 0, w: 10, h: 10 }, TABLET, { maxFit: 1 }).zoom, 1);
});

test("one axis may fit while the other is anchored at the start", () => {
  const wide = { x: 0, y: 0, w: 4000, h: 400 };
  const v = fitView(wide, { x: 0, y: 0, w: 1000, h: 800 }, { margin: 20, floor: 0.5, anchor: "start" });
  near(screen(v, 0, 0).x, 20);
  near(screen(v, 0, 0).y, (800 - 200) / 2); // 400 * 0.5 fits the height: centred
});

test("revealView pans as little as needed, and zooms out only when it must", () => {
  const area = { x: 0, y: 0, w: 600, h: 800 };
  const cam = { x: 0, y: 0, zoom: 1 };
  assert.equal(revealView({ x: 100, y: 100, w: 200, h: 200 }, area, cam, 24), cam); // in view already
  const panned = revealView({ x: 500, y: 100, w: 200, h: 200 }, area, cam, 24);
  assert.equal(panned.zoom, 1);
  near(screen(panned, 700, 0).x, 600 - 24); // its right edge just inside the area
  const out = revealView({ x: 0, y: 0, w: 2000, h: 200 }, area, cam, 24);
  assert.ok(out.zoom < 1);
  near(screen(out, 0, 0).x, 24);
  near(screen(out, 2000, 0).x, 600 - 24);
});

test("the readable zoom comes from the lower median of the notes' text sizes", () => {
  assert.equal(lowerMedian([30, 10, 20, 40]), 20);
  assert.equal(lowerMedian([]), null);
  near(readableZoom([20, 20, 32, 12]), READABLE_PX / 20);
  near(readableZoom([]), READABLE_PX / NOTE_TEXT_PX); // a default note's typical text
  // A template's one short example note (30.5 px) does not set the zoom: the notes
  // people write next do (about 24 px).
  near(readableZoom([30.5]), READABLE_PX / NOTE_TEXT_PX);
  assert.equal(NOTE_TEXT_PX, 24); // model.generated.js: 200 px notes, text up to 32 px
  assert.equal(readableZoom([6, 6, 6]), READABLE_MAX_ZOOM); // 12 / 6 = 2, capped
});

test("the frame that matters: the step's focus frame, else the largest frame, else everything", () => {
  const objs = [
    { id: "a", kind: "frame", x: 0, y: 0, w: 100, h: 100 },
    { id: "b", kind: "frame", x: 500, y: 0, w: 300, h: 300 },
    { id: "n", kind: "note", x: -400, y: 0, w: 50, h: 50 },
  ];
  const byId = new Map(objs.map((o) => [o.id, o]));
  const lookup = (id) => byId.get(id);
  const agenda = [{ actions: [{ focus_frame: "a" }] }, { actions: [{ timer: 4 }] }];
  assert.deepEqual(focusRect(objs, lookup, { agenda, state: { step: 1 } }), { x: 0, y: 0, w: 100, h: 100 });
  assert.deepEqual(focusRect(objs, lookup, { agenda, state: { step: null } }), { x: 0, y: 0, w: 100, h: 100 });
  assert.deepEqual(focusRect(objs, lookup, { agenda: [], state: { step: null } }), { x: 500, y: 0, w: 300, h: 300 });
  const notes = [objs[2], { id: "m", kind: "note", x: 0, y: 0, w: 50, h: 50 }];
  assert.deepEqual(focusRect(notes, lookup, null), { x: -400, y: 0, w: 450, h: 50 });
  assert.equal(focusRect([], lookup, null), null);
});
