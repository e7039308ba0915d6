// Small drawing helpers shared by the content painter and the overlay: rounded boxes,
// strokes, arrow heads, the padlock, rotation about an object's centre.

export const INK = "#1f2937";
export const ARROW = 14;

// Corners under a quarter of a screen pixel look the same square, and rect is much
// cheaper to fill than roundRect (thousands of notes at "zoom to fit").
let cornerScale = 1;

/** Device pixels per board unit of the content being painted (see roundRect). */
export function setCornerScale(scale) {
  cornerScale = scale;
}

export function roundRect(c, x, y, w, h, r) {
  c.beginPath();
  c.roundRect && r * cornerScale >= 0.25 ? c.roundRect(x, y, w, h, r) : c.rect(x, y, w, h);
}

export function readableOn(hex) {
  const n = parseInt(hex.slice(1), 16);
  const r = (n >> 16) & 255, g = (n >> 8) & 255, b = n & 255;
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? INK : "#ffffff";
}

/** Boxes and strokes can be resized with handles; connectors follow what they join. */
export const resizable = (obj) => "w" in obj || obj.kind === "path";

/** A smooth stroke through points (quadratic curves through midpoints). */
export function strokePoints(c, pts, ox, oy) {
  if (!pts.length) return;
  c.moveTo(ox + pts[0][0], oy + pts[0][1]);
  if (pts.length === 1) {
    c.lineTo(ox + pts[0][0] + 0.01, oy + pts[0][1]);
    return;
  }
  for (let i = 1; i < pts.length - 1; i++) {
    const mx = (pts[i][0] + pts[i + 1][0]) / 2, my = (pts[i][1] + pts[i + 1][1]) / 2;
    c.quadraticCurveTo(ox + pts[i][0], oy + pts[i][1], ox + mx, oy + my);
  }
  const last = pts[pts.length - 1];
  c.lineTo(ox + last[0], oy + last[1]);
}

/** A filled arrow head with its tip at `tip`, pointing along the unit vector (ux, uy). */
export function arrowHead(c, tip, ux, uy, size) {
  const bx = tip.x - ux * size, by = tip.y - uy * size;
  const px = -uy * size * 0.45, py = ux * size * 0.45;
  c.beginPath();
  c.moveTo(tip.x, tip.y);
  c.lineTo(bx + px, by + py);
  c.lineTo(bx - px, by - py);
  c.closePath();
  c.fill();
}

/**
 * A small padlock (as the `lock` icon in _icons.html), drawn with paths rather than the
 * emoji, which is an empty box where no emoji font is installed. `right`, `top`: its
 * top-right corner; `s`: board units per screen pixel (it is 10 × 12 screen px).
 */
export function padlock(c, right, top, s) {
  c.save();
  c.fillStyle = c.strokeStyle = "#4b5563";
  c.lineWidth = 1.6 * s;
  c.beginPath();
  c.moveTo(right - 7.5 * s, top + 6 * s);
  c.lineTo(right - 7.5 * s, top + 3.5 * s);
  c.arc(right - 5 * s, top + 3.5 * s, 2.5 * s, Math.PI, 0);
  c.lineTo(right - 2.5 * s, top + 6 * s);
  c.stroke();
  c.fillRect(right - 10 * s, top + 5.5 * s, 10 * s, 6.5 * s);
  c.restore();
}

/** Turn the context about the object's centre by its `rotation` (degrees); false if none. */
export function rotate(c, obj, b) {
  const deg = obj.kind === "connector" ? 0 : Number(obj.rotation) || 0;
  if (!deg) return false;
  const cx = b.x + b.w / 2, cy = b.y + b.h / 2;
  c.save();
  c.translate(cx, cy);
  c.rotate((deg * Math.PI) / 180);
  c.translate(-cx, -cy);
  return true;
}

/** Axis-aligned box around an object as drawn (its rotation included). */
export function drawnBox(obj, b) {
  if (!obj.rotation || obj.kind === "connector") return b;
  const a = (obj.rotation * Math.PI) / 180;
  const ex = Math.abs((b.w / 2) * Math.cos(a)) + Math.abs((b.h / 2) * Math.sin(a));
  const ey = Math.abs((b.w / 2) * Math.sin(a)) + Math.abs((b.h / 2) * Math.cos(a));
  return { x: b.x + b.w / 2 - ex, y: b.y + b.h / 2 - ey, w: 2 * ex, h: 2 * ey };
}
