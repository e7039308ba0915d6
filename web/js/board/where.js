// Coordinates on request: Shift+P says where the selection is and how big, in the live
// region ("In Key players: position 1200, 340, size 200 × 200"). Moves are said by the
// place they land in (Actions.movedWords), so numbers are heard only when asked for.

import { placeOf } from "../frames.js";
import { bounds, resizeBox, unionBounds } from "../geometry.js";

/**
 * What to say for the selected objects `objs` (of the board's `objects`), as [key, vars]:
 * one object's own box (unturned, as Alt+arrows resize it) and the zone or frame it is
 * in; several objects' joint box and their number.
 */
export function whereWords(objs, objects, lookup) {
  if (!objs.length) return ["announce.where_none", {}];
  const one = objs.length === 1 ? objs[0] : null;
  const box = one && one.kind !== "connector" ? resizeBox(one) : unionBounds(objs.map((o) => bounds(o, lookup)));
  const vars = { x: Math.round(box.x), y: Math.round(box.y), w: Math.round(box.w), h: Math.round(box.h) };
  if (!one) return ["announce.where_many", { n: objs.length, ...vars }];
  const place = placeOf(one, objects, lookup);
  return place ? ["announce.where_in", { place, ...vars }] : ["announce.where", vars];
}
