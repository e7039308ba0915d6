// The free area of the board: the part of the canvas no tool column, top bar or open
// panel covers, measured from the DOM (so it follows the CSS at every width: side
// panels beside the board take no room here, the same panels laid over it below 700 px
// do). Zoom to fit, summons, the first view and the vote results place content in it.

const SIDES = [
  ["left", "#toolbar"],
  ["top", ".topbar"],
  ["right", "#results"],
  ["right", "#outline"],
  ["right", "#facilitate"],
  ["right", ".people[open] .people-panel"],
];
const GAP = 8; // px kept clear beside a tool column or panel

/** A free area smaller than this ignores the panels (a phone with a panel open). */
const MIN_W = 160;
const MIN_H = 160;

const shown = (el) => el && !el.hidden && el.getClientRects().length > 0;

/**
 * {x, y, w, h} in px from the canvas' top-left corner: the canvas less what lies over
 * it on the left (tool column), top (top bar) and right (open panels, the people list).
 */
export function freeArea(canvas) {
  const c = canvas.getBoundingClientRect();
  const cut = (sides) => {
    let left = c.left;
    let top = c.top;
    let right = c.right;
    const bottom = c.bottom;
    for (const [side, selector] of SIDES) {
      if (!sides.includes(side)) continue;
      const el = document.querySelector(selector);
      if (!shown(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.right <= left || r.left >= right || r.bottom <= top || r.top >= bottom) continue; // beside the canvas
      if (side === "left") left = Math.max(left, r.right + GAP);
      else if (side === "right") right = Math.min(right, r.left - GAP);
      else top = Math.max(top, r.bottom);
    }
    return { x: left - c.left, y: top - c.top, w: Math.max(right - left, 0), h: Math.max(bottom - top, 0) };
  };
  const area = cut(["left", "top", "right"]);
  if (area.w >= MIN_W && area.h >= MIN_H) return area;
  const bare = cut(["left", "top"]);
  return bare.w >= MIN_W && bare.h >= MIN_H ? bare : { x: 0, y: 0, w: c.width, h: c.height };
}
