// Where a floating box (the selection toolbar, the actions menu) goes on screen: beside
// what it belongs to, never over it, and clear of the page's own furniture (banners,
// the step card, the tool column). Pure rectangle arithmetic, no DOM: tests/js runs it.

/** The area two rectangles `{x, y, w, h}` share (0 when they do not meet). */
export function overlap(a, b) {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

const clampTo = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

/**
 * A spot for a `size.w` × `size.h` box beside `target` (a screen rectangle), inside
 * `area`, `gap` px away from the target: above it (centred, flush with either edge, or
 * slid past an obstacle), below it, then right and left of it. The first spot that stays inside the area
 * and covers neither the target nor any rectangle in `avoid` wins; when none does (a
 * selection filling the screen), the one that covers least, the target counting most.
 * Returns `{x, y, side, cost}` in the area's coordinates (cost 0: nothing covered).
 */
export function placeBeside(target, size, area, avoid = [], { gap = 16, margin = 8 } = {}) {
  const { w, h } = size;
  const lo = { x: area.x + margin, y: area.y + margin };
  const hi = { x: area.x + area.w - w - margin, y: area.y + area.h - h - margin };
  // Centred on the target, flush with either edge, or slid just past something in the way.
  const across = [target.x + target.w / 2 - w / 2, target.x, target.x + target.w - w];
  for (const r of avoid) across.push(r.x + r.w + margin, r.x - w - margin);
  const down = [target.y, target.y + target.h / 2 - h / 2, target.y + target.h - h];
  const spots = [];
  for (const x of across) spots.push({ side: "above", x, y: target.y - gap - h });
  for (const x of across) spots.push({ side: "below", x, y: target.y + target.h + gap });
  for (const y of down) spots.push({ side: "right", x: target.x + target.w + gap, y });
  for (const y of down) spots.push({ side: "left", x: target.x - gap - w, y });
  let best = null;
  for (const s of spots) {
    // Pushed inside the area; a spot that had to move onto the target pays for it below.
    const x = clampTo(s.x, lo.x, Math.max(lo.x, hi.x));
    const y = clampTo(s.y, lo.y, Math.max(lo.y, hi.y));
    const box = { x, y, w, h };
    // Beside the target means touching its span: not slid or pushed off to somewhere else.
    const vertical = s.side === "above" || s.side === "below";
    const near = vertical ? x < target.x + target.w && x + w > target.x : y < target.y + target.h && y + h > target.y;
    let cost = overlap(box, target) * 10 + (near ? 0 : 1);
    for (const r of avoid) cost += overlap(box, r);
    if (cost === 0) return { x, y, side: s.side, cost };
    if (!best || cost < best.cost) best = { x, y, side: s.side, cost };
  }
  return best;
}
