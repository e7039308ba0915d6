// F1, the frame rule, in the page: the same table as tests/server/test_frame_rule.py
// (tests/data/frame_rule.json) against web/js/frames.js, which the outline, the export
// menu and dragging a frame (Actions.withContents) use.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { frameContents, frameOf } from "../../web/js/frames.js";

const table = JSON.parse(readFileSync(new URL("../data/frame_rule.json", import.meta.url), "utf8"));

for (const c of table.cases) {
  const byId = new Map(c.objects.map((o) => [o.id, o]));
  const lookup = (id) => byId.get(id);
  test(`F1 frame_of: ${c.name}`, () => {
    for (const [id, expected] of Object.entries(c.frame_of)) {
      const found = frameOf(byId.get(id), c.objects, lookup);
      assert.equal(found ? found.id : null, expected, id);
    }
  });
  test(`F1 contents: ${c.name}`, () => {
    for (const [id, expected] of Object.entries(c.contents)) {
      const found = frameContents(byId.get(id), c.objects, lookup).map((o) => o.id);
      assert.deepEqual(found.sort(), [...expected].sort(), id);
    }
  });
}
