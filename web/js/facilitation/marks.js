// Marks drawn on top of notes: my own private notes ("only you"), my votes as dots
// while a vote is open, and the totals as badges after it closes.

import { font } from "../render/text.js";

const PRIVATE = "#6d28d9";
const VOTE = "#1d4ed8";

export function makeDecorator(session) {
  return (c, obj, b, z) => {
    if (obj.kind !== "note") return;
    const px = 1 / z; // one screen pixel in board units
    if (session.isMyPrivate(obj)) privateMark(c, obj, px);
    const v = session.state.voting;
    if (!v) return;
    if (v.open) {
      const n = session.myVotes(obj.id);
      if (n) dots(c, obj, n, px);
    } else if (v.results) {
      const total = session.results().get(obj.id);
      if (total) badge(c, obj, total, px);
    }
  };
}

function privateMark(c, obj, px) {
  c.save();
  c.strokeStyle = PRIVATE;
  c.lineWidth = 2 * px;
  c.setLineDash([6 * px, 4 * px]);
  c.strokeRect(obj.x - 3 * px, obj.y - 3 * px, obj.w + 6 * px, obj.h + 6 * px);
  c.setLineDash([]);
  // A small "eye crossed out" tag in the top-left corner.
  const s = Math.min(22 * px, obj.w / 4);
  const x = obj.x + 4 * px, y = obj.y + 4 * px;
  c.fillStyle = PRIVATE;
  c.beginPath();
  c.roundRect ? c.roundRect(x, y, s, s, 4 * px) : c.rect(x, y, s, s);
  c.fill();
  c.strokeStyle = "#ffffff";
  c.lineWidth = Math.max(1.5 * px, s / 12);
  c.beginPath();
  c.ellipse(x + s / 2, y + s / 2, s * 0.32, s * 0.2, 0, 0, Math.PI * 2);
  c.moveTo(x + s * 0.2, y + s * 0.2);
  c.lineTo(x + s * 0.8, y + s * 0.8);
  c.stroke();
  c.restore();
}

function dots(c, obj, n, px) {
  const r = Math.min(9 * px, obj.w / 12);
  c.save();
  for (let i = 0; i < n; i++) {
    const cx = obj.x + obj.w - r - 6 * px - i * (2 * r + 4 * px);
    const cy = obj.y + r + 6 * px;
    c.beginPath();
    c.arc(cx, cy, r, 0, Math.PI * 2);
    c.fillStyle = VOTE;
    c.fill();
    c.lineWidth = 2 * px;
    c.strokeStyle = "#ffffff";
    c.stroke();
  }
  c.restore();
}

function badge(c, obj, total, px) {
  const text = String(total);
  const size = Math.min(16 * px, obj.w / 8);
  c.save();
  c.font = font(size, true);
  const w = Math.max(size * 1.8, c.measureText(text).width + size);
  const hgt = size * 1.7;
  const x = obj.x + obj.w - w + size * 0.4, y = obj.y - hgt * 0.4;
  c.fillStyle = VOTE;
  c.beginPath();
  c.roundRect ? c.roundRect(x, y, w, hgt, hgt / 2) : c.rect(x, y, w, hgt);
  c.fill();
  c.lineWidth = 2 * px;
  c.strokeStyle = "#ffffff";
  c.stroke();
  c.fillStyle = "#ffffff";
  c.textAlign = "center";
  c.textBaseline = "middle";
  c.fillText(text, x + w / 2, y + hgt / 2 + size * 0.05);
  c.restore();
}
