// web/js/board/placement.js: the selection toolbar and the actions menu go beside what
// they belong to, never over it, and clear of the banners and the tool column.
import assert from "node:assert/strict";
import { test } from "node:test";
import { overlap, placeBeside } from "../../web/js/board/placement.js";

const area = { x: 0, y: 0, w: 768, h: 900 };
const bar = { w: 300, h: 44 };
const box = (p) => ({ ...p, ...bar });

test("above the target when there is room", () => {
  const target = { x: 300, y: 400, w: 200, h: 200 };
  const spot = placeBeside(target, bar, area);
  assert.equal(spot.side, "above");
  assert.equal(spot.y, 400 - 16 - 44);
  assert.equal(overlap(box(spot), target), 0);
});

test("below a target at the top of the view, never over it", () => {
  const target = { x: 300, y: 20, w: 200, h: 200 };
  const spot = placeBeside(target, bar, area);
  assert.equal(spot.side, "below");
  assert.equal(spot.y, 20 + 200 + 16);
});

test("a banner above the target sends the bar past it or below", () => {
  const target = { x: 234, y: 90, w: 300, h: 200 };
  const banner = { x: 150, y: 10, w: 470, h: 40 };
  const spot = placeBeside(target, bar, area, [banner]);
  assert.equal(overlap(box(spot), banner), 0);
  assert.equal(overlap(box(spot), target), 0);
});

test("the tool column: the bar slides right of it, still above", () => {
  const tools = { x: 12, y: 150, w: 52, h: 560 };
  const target = { x: 20, y: 400, w: 200, h: 200 };
  const spot = placeBeside(target, bar, area, [tools]);
  assert.equal(spot.side, "above");
  assert.ok(spot.x >= 64, spot);
});

test("a target filling the view: the least covered spot, inside the area", () => {
  const target = { x: -100, y: -100, w: 1000, h: 1200 };
  const spot = placeBeside(target, bar, area);
  assert.ok(spot.x >= 8 && spot.y >= 8 && spot.x + 300 <= 760 && spot.y + 44 <= 892, spot);
});
