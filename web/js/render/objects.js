// Paints one board object (note, text, shape, frame, stroke, connector, image) by the
// export's rules (server/domain/render/layout.py). Mixed into Renderer: `this.c` is the
// context being painted, `this.camera` gives the zoom.

import { connectorEnds } from "../geometry.js";
import { ARROW, INK, arrowHead, readableOn, roundRect, strokePoints } from "./shapes.js";
import { BASELINE, LINE_HEIGHT, NOTE_PAD, TAG_SIZE, fitted, font, hasLayout, labelLayout, maxTextSize, textBox, textLayout, textWidth, wrapText } from "./text.js";

export const objectPainting = {
  /** Draw laid-out lines (see text.js) as the export places them: same box, same baselines. */
  _lines(L, color) {
    const { c, camera } = this;
    if (!L.lines.length) return;
    const [x, y, w, h] = L.box;
    const lh = L.size * LINE_HEIGHT;
    let top = L.valign === "middle" ? y + (h - lh * L.lines.length) / 2 : y;
    const screen = L.size * camera.zoom;
    if (screen < 4) {
      // Too small to read: grey bars where the lines are (fast, and looks right), or nothing.
      // One path per block of text; line widths come from the cached layout.
      if (lh * camera.zoom < 1.5) return;
      const widths = L.widths;
      c.fillStyle = color;
      c.globalAlpha *= 0.35;
      if (lh * camera.zoom < 3 && widths && L.lines.length > 1) {
        // Lines under 3 screen px run together anyway: one faint block, as wide as the
        // widest line, instead of a bar per line (far cheaper to paint at "zoom to fit").
        const lw = Math.min(w, Math.max(...widths));
        const left = L.align === "left" ? x : L.align === "right" ? x + w - lw : x + (w - lw) / 2;
        c.globalAlpha *= 0.6;
        c.fillRect(left, top + lh * 0.3, lw, lh * (L.lines.length - 1) + lh * 0.45);
        c.globalAlpha /= 0.6 * 0.35;
        return;
      }
      c.beginPath();
      for (let i = 0; i < L.lines.length; i++) {
        const line = L.lines[i];
        if (line) {
          const lw = Math.min(w, widths ? widths[i] : textWidth(line, L.size, L.bold));
          const left = L.align === "left" ? x : L.align === "right" ? x + w - lw : x + (w - lw) / 2;
          c.rect(left, top + lh * 0.3, lw, lh * 0.45);
        }
        top += lh;
      }
      c.fill();
      c.globalAlpha /= 0.35;
      return;
    }
    c.fillStyle = color;
    c.font = font(L.size, L.bold);
    c.textBaseline = "alphabetic";
    c.textAlign = "left";
    for (let i = 0; i < L.lines.length; i++) {
      const line = L.lines[i];
      if (line) {
        const lw = L.widths ? L.widths[i] : textWidth(line, L.size, L.bold);
        const left = L.align === "left" ? x : L.align === "right" ? x + w - lw : x + (w - lw) / 2;
        c.fillText(line, left, top + BASELINE * L.size);
      }
      top += lh;
    }
  },

  _text(obj, color) {
    if (this.ui.editingId === obj.id || !obj.text) return;
    // Level of detail: lines under 1.5 screen px are not drawn (see _lines), so when
    // even the largest size this object's text can have is that small, its layout
    // (wrapping and fitting: most of a 10,000-object first render) is not computed.
    const most = maxTextSize(obj) * LINE_HEIGHT * this.camera.zoom;
    if (most < 1.5) return;
    // Under 3 px a block of text is one faint bar (see _lines): when its layout was never
    // needed yet, the bar is estimated from the text's length instead of laid out.
    if (most < 3 && !hasLayout(obj)) return this._textBar(obj, color);
    this._lines(textLayout(obj), color);
  },

  /** One faint bar where the text would be, sized from its length at the largest size. */
  _textBar(obj, color) {
    const size = maxTextSize(obj);
    const box = textBox(obj);
    const chars = obj.text.length;
    const perLine = Math.max(1, Math.floor(box[2] / (0.5 * size)));
    const lh = size * LINE_HEIGHT;
    const lines = Math.min(Math.ceil(chars / perLine), Math.max(1, Math.floor(box[3] / lh)));
    const w = Math.min(box[2], chars * 0.5 * size);
    const h = lh * (lines - 1) + lh * 0.45;
    const c = this.c;
    c.fillStyle = color;
    c.globalAlpha *= 0.21;
    c.fillRect(box[0] + (box[2] - w) / 2, box[1] + (box[3] - lh * lines) / 2 + lh * 0.3, w, h);
    c.globalAlpha /= 0.21;
  },

  /** A note's tag (party initials) on its own line at the bottom, as the export writes it:
   * colour is never the only cue for a party. */
  _tag(obj) {
    if (!obj.tag || this.ui.editingId === obj.id) return;
    const box = [obj.x + NOTE_PAD, obj.y + obj.h - NOTE_PAD - TAG_SIZE - 2, obj.w - 2 * NOTE_PAD, TAG_SIZE + 4];
    this._lines({ box, lines: [obj.tag], size: TAG_SIZE, bold: true, align: "left", valign: "middle" }, "#374151");
  },

  _object(obj) {
    const c = this.c;
    const z = this.camera.zoom;
    switch (obj.kind) {
      case "note": {
        if (z > 0.25) {
          c.fillStyle = "rgba(0,0,0,0.12)";
          roundRect(c, obj.x + 2, obj.y + 4, obj.w, obj.h, 3);
          c.fill();
        }
        c.fillStyle = obj.color;
        roundRect(c, obj.x, obj.y, obj.w, obj.h, 3);
        c.fill();
        this._text(obj, readableOn(obj.color));
        this._tag(obj);
        break;
      }
      case "text":
        this._text(obj, obj.color);
        break;
      case "shape": {
        if (obj.shape === "ellipse") {
          c.beginPath();
          c.ellipse(obj.x + obj.w / 2, obj.y + obj.h / 2, obj.w / 2, obj.h / 2, 0, 0, Math.PI * 2);
        } else if (obj.shape === "diamond") {
          c.beginPath();
          c.moveTo(obj.x + obj.w / 2, obj.y);
          c.lineTo(obj.x + obj.w, obj.y + obj.h / 2);
          c.lineTo(obj.x + obj.w / 2, obj.y + obj.h);
          c.lineTo(obj.x, obj.y + obj.h / 2);
          c.closePath();
        } else roundRect(c, obj.x, obj.y, obj.w, obj.h, 4);
        c.fillStyle = obj.color;
        c.fill();
        c.lineWidth = 2;
        c.strokeStyle = obj.stroke;
        c.stroke();
        // The export writes a shape's text in its stroke colour.
        this._text(obj, obj.stroke || INK);
        break;
      }
      case "frame": {
        c.fillStyle = obj.color;
        roundRect(c, obj.x, obj.y, obj.w, obj.h, 6);
        c.fill();
        c.lineWidth = Math.max(1, 1 / z);
        c.strokeStyle = "#9ca3af";
        c.stroke();
        if (obj.title && this.ui.editingId !== obj.id) this._frameTitle(obj, z);
        break;
      }
      case "path":
        this._path(obj);
        break;
      case "connector":
        this._connector(obj);
        break;
      case "image": {
        const entry = this.images.get(obj.asset);
        if (entry.state === "ready") c.drawImage(entry.bitmap, obj.x, obj.y, obj.w, obj.h);
        else if (entry.state === "error") this._placeholder(obj);
        else {
          c.fillStyle = "#e5e7eb";
          c.fillRect(obj.x, obj.y, obj.w, obj.h);
        }
        break;
      }
    }
  },

  /** Bold 18 px above the top-left corner, as in the export; never below 12 screen px. */
  _frameTitle(obj, z) {
    const size = Math.min(Math.max(18, 12 / z), 400);
    if (size * z < 4) return;
    const first = wrapText(obj.title, size, Math.max(obj.w, 40), true);
    const line = first[0] + (first.length > 1 ? "…" : "");
    const y = size === 18 ? obj.y - 28 : obj.y - 6 / z - size * LINE_HEIGHT;
    this._lines({ box: [obj.x, y, obj.w, size === 18 ? 24 : size * LINE_HEIGHT], lines: [line], size, bold: true, align: "left", valign: "middle" }, "#374151");
  },

  /** A missing or unreadable image: a dashed box with its alt text, as in the export. */
  _placeholder(obj) {
    const c = this.c;
    c.fillStyle = "#f3f4f6";
    c.fillRect(obj.x, obj.y, obj.w, obj.h);
    c.setLineDash([6, 5]);
    c.lineWidth = 2;
    c.strokeStyle = "#9ca3af";
    c.strokeRect(obj.x, obj.y, obj.w, obj.h);
    c.setLineDash([]);
    const { lines, size } = fitted(obj.alt || "image", obj.w - 16, obj.h - 16, 16);
    this._lines({ box: [obj.x + 8, obj.y + 8, obj.w - 16, obj.h - 16], lines, size, bold: false, align: "center", valign: "middle" }, "#6b7280");
  },

  _path(obj) {
    const c = this.c;
    const pts = obj.points;
    c.strokeStyle = obj.color;
    c.lineWidth = obj.width;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.beginPath();
    strokePoints(c, pts, obj.x, obj.y);
    c.stroke();
  },

  _connector(obj) {
    const c = this.c;
    const [a, b] = connectorEnds(obj, this.lookup);
    const color = obj.color || INK;
    c.strokeStyle = color;
    c.fillStyle = color;
    c.lineWidth = 2.5;
    // As the export: heads of at most 14 px, the line stops inside them.
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    let start = a, end = b;
    if (len > 1e-6) {
      const ux = (b.x - a.x) / len, uy = (b.y - a.y) / len;
      const head = Math.min(ARROW, len / 3);
      if (obj.arrow === "end" || obj.arrow === "both") {
        arrowHead(c, b, ux, uy, head);
        end = { x: b.x - ux * head * 0.8, y: b.y - uy * head * 0.8 };
      }
      if (obj.arrow === "start" || obj.arrow === "both") {
        arrowHead(c, a, -ux, -uy, head);
        start = { x: a.x + ux * head * 0.8, y: a.y + uy * head * 0.8 };
      }
    }
    c.setLineDash(obj.dashed ? [7.5, 6.25] : []);
    c.beginPath();
    c.moveTo(start.x, start.y);
    c.lineTo(end.x, end.y);
    c.stroke();
    c.setLineDash([]);
    if (obj.text && obj.text.trim() && this.ui.editingId !== obj.id) {
      const L = labelLayout(obj.text);
      const x = (a.x + b.x) / 2 - L.w / 2, y = (a.y + b.y) / 2 - L.h / 2;
      c.fillStyle = "#ffffff";
      roundRect(c, x, y, L.w, L.h, 3);
      c.fill();
      this._lines({ box: [x, y, L.w, L.h], lines: L.lines, widths: L.widths, size: L.size, bold: false, align: "center", valign: "middle" }, color);
    }
  },
};
