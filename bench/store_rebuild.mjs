// A/B of Store.load on a big welcome, in Node: the bulk rebuild (store.js now) against
// the per-object rebuild it replaced (copied below), alternating in one process.
//
//   python bench/render_board.py 10000 > /tmp/board.json
//   node --expose-gc bench/store_rebuild.mjs /tmp/board.json [rounds]
//
// Each round loads the board into a fresh Store with three pending batches (an offline
// queue) on top, once each way, in alternating order; prints min / median / max ms.

import { readFileSync } from "node:fs";
import { opId, Store } from "../web/js/store.js";
import { withDefaults } from "../web/js/schema.js";

/** The load and rebuild before the bulk copy (git show 8242be4:web/js/store.js). */
function loadBefore(store, objects, seq) {
  store.tombs = new Set();
  store.confirmed = new Map(objects.map((o) => [o.id, withDefaults(o)]));
  store.seq = seq;
  store.loaded = true;
  const ids = new Set(store.confirmed.keys());
  for (const p of store.pending) for (const op of p.ops) ids.add(opId(op));
  store.view = new Map();
  store._recompute(ids);
  store._emit(null);
}

const objects = JSON.parse(readFileSync(process.argv[2], "utf8"));
const rounds = Number(process.argv[3] || 15);
const pending = () =>
  [0, 1, 2].map((i) => ({
    batch: `b${i}`,
    ops: [
      { op: "update", id: objects[i * 7].id, set: { x: 5 } },
      { op: "create", object: { id: `new${i}`, kind: "note", x: 0, y: 0 } },
    ],
  }));

function once(way) {
  const store = new Store();
  store.pending = pending();
  const copy = structuredClone(objects);
  globalThis.gc?.(); // with --expose-gc: the last round's garbage is not timed here
  const t0 = performance.now();
  if (way === "before") loadBefore(store, copy, 1);
  else store.load(copy, 1);
  const ms = performance.now() - t0;
  if (store.view.size !== objects.length + 3) throw new Error(`view has ${store.view.size}`);
  return ms;
}

// structuredClone is outside the timing but gives each round fresh objects, as a
// parsed welcome does. Two rounds each to warm up the JIT, not counted.
const times = { before: [], after: [] };
for (let r = 0; r < rounds + 2; r++) {
  const order = r % 2 ? ["before", "after"] : ["after", "before"];
  for (const way of order) {
    const ms = once(way);
    if (r >= 2) times[way].push(ms);
  }
}
const fmt = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0].toFixed(1)} / median ${s[Math.floor(s.length / 2)].toFixed(1)} / max ${s[s.length - 1].toFixed(1)} ms`;
};
console.log(`${objects.length} objects, ${rounds} rounds each, alternating`);
for (const way of ["before", "after"]) console.log(`  ${way.padEnd(6)} Store.load: ${fmt(times[way])}`);
