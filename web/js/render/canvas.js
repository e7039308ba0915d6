// Draws the board on one <canvas>: only what is in view, text simplified when tiny,
// redrawn at most once per animation frame.

import { bounds, connectorEnds, intersects } from "../geometry.js";
import { font, layout } from "./text.js";

const HANDLE = 8;
const ACCENT = "#2563eb";

function roundRect(c, x, y, w, h, r) {
  c.beginPath();
  c.roundRect ? c.roundRect(x, y, w, h, r) : c.rect(x, y, w, h);
}

function readableOn(hex) {
  const n = parseInt(hex.slice(1), 16);
  const r = (n >> 16) & 255, g = (n >> 8) & 255, b = n & 255;
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#111827" : "#ffffff";
}

export class Renderer {
  constructor(canvas, store, camera, images, ui) {
    this.canvas = canvas;
    this.c = canvas.getContext("2d");
    this.store = store;
    this.camera = camera;
    this.images = images;
    this.ui = ui;
    this.frame = 0;
    this.lookup = (id) => store.get(id);
    this.onRender = null;
    this.decorate = null; // (context, obj, bounds, zoom): marks drawn on top of an object
    images.addEventListener("load", () => this.request());
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const rect = this.canvas.getBoundingClientRect();
    this.dpr = dpr;
    this.camera.width = rect.width;
    this.camera.height = rect.height;
    this.canvas.width = Math.round(rect.width * dpr);
    this.canvas.height = Math.round(rect.height * dpr);
    this.request();
  }

  request() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  draw() {
    this.frame = 0;
    const { c, camera, ui } = this;
    const dpr = this.dpr || 1;
    const z = camera.zoom;
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.fillStyle = "#fafaf9";
    c.fillRect(0, 0, this.canvas.width, this.canvas.height);
    c.setTransform(dpr * z, 0, 0, dpr * z, -camera.x * dpr * z, -camera.y * dpr * z);
    this._grid();
    const view = camera.visible();
    const margin = 40 / z;
    const area = { x: view.x - margin, y: view.y - margin, w: view.w + 2 * margin, h: view.h + 2 * margin };
    const lookup = this.lookup;
    let drawn = 0;
    for (const obj of this.store.sorted()) {
      const b = bounds(obj, lookup);
      // Frame titles sit above the frame.
      const test = obj.kind === "frame" ? { x: b.x, y: b.y - 30, w: b.w, h: b.h + 30 } : b;
      if (!intersects(area, test)) continue;
      drawn++;
      c.globalAlpha = ui.erasing && ui.erasing.has(obj.id) ? 0.25 : 1;
      this._object(obj, b);
      if (this.decorate) this.decorate(c, obj, b, z);
    }
    c.globalAlpha = 1;
    this.drawn = drawn;
    this._remoteSelections();
    this._selection();
    this._drafts();
    if (this.onRender) this.onRender();
  }

  _grid() {
    const { c, camera } = this;
    const z = camera.zoom;
    let step = 40;
    while (step * z < 16) step *= 4;
    if (step * z > 160) return;
    const v = camera.visible();
    const r = 1.2 / z;
    c.fillStyle = "#d6d3d1";
    const x0 = Math.floor(v.x / step) * step, y0 = Math.floor(v.y / step) * step;
    const cols = Math.ceil(v.w / step) + 1, rows = Math.ceil(v.h / step) + 1;
    if (cols * rows > 6000) return;
    c.beginPath();
    for (let i = 0; i <= cols; i++) for (let j = 0; j <= rows; j++) c.rect(x0 + i * step - r, y0 + j * step - r, 2 * r, 2 * r);
    c.fill();
  }

  _text(obj, opts, color, alignDefault = "center", valign = "middle") {
    const { c, camera } = this;
    if (this.ui.editingId === obj.id) return;
    if (!obj.text) return;
    const pad = opts.padding ?? 12;
    // Far out, a box is a few pixels wide: its text would be noise, so it is left out.
    if (obj.w * camera.zoom < 48) return;
    const L = layout(obj, opts);
    const screenSize = L.size * camera.zoom;
    const align = obj.align || alignDefault;
    const total = L.lines.length * L.lineHeight;
    let y = valign === "top" ? obj.y + pad : obj.y + Math.max(pad, (obj.h - total) / 2);
    if (screenSize < 4) {
      // Too small to read: draw grey bars where the lines are (fast, and looks right).
      c.fillStyle = color;
      c.globalAlpha *= 0.35;
      for (const line of L.lines) {
        if (y + L.lineHeight > obj.y + obj.h) break;
        const w = Math.min(obj.w - 2 * pad, line.length * L.size * 0.5);
        const x = align === "center" ? obj.x + (obj.w - w) / 2 : align === "right" ? obj.x + obj.w - pad - w : obj.x + pad;
        c.fillRect(x, y + L.lineHeight * 0.3, w, L.lineHeight * 0.45);
        y += L.lineHeight;
      }
      c.globalAlpha /= 0.35;
      return;
    }
    c.fillStyle = color;
    c.font = font(L.size);
    c.textBaseline = "top";
    c.textAlign = align;
    const x = align === "center" ? obj.x + obj.w / 2 : align === "right" ? obj.x + obj.w - pad : obj.x + pad;
    c.save();
    c.beginPath();
    c.rect(obj.x, obj.y, obj.w, obj.h);
    c.clip();
    for (const line of L.lines) {
      c.fillText(line, x, y + L.size * 0.12);
      y += L.lineHeight;
    }
    c.restore();
  }

  _object(obj, b) {
    const c = this.c;
    const z = this.camera.zoom;
    switch (obj.kind) {
      case "note": {
        if (z > 0.25) {
          c.fillStyle = "rgba(0,0,0,0.10)";
          c.fillRect(obj.x + 2, obj.y + 4, obj.w, obj.h);
        }
        c.fillStyle = obj.color;
        c.fillRect(obj.x, obj.y, obj.w, obj.h);
        this._text(obj, { padding: 14, maxSize: 32, minSize: 8 }, readableOn(obj.color));
        break;
      }
      case "text":
        this._text(obj, { padding: 4, fixedSize: obj.font_size }, obj.color, "left", "top");
        break;
      case "shape": {
        c.beginPath();
        if (obj.shape === "ellipse") c.ellipse(obj.x + obj.w / 2, obj.y + obj.h / 2, obj.w / 2, obj.h / 2, 0, 0, Math.PI * 2);
        else if (obj.shape === "diamond") {
          c.moveTo(obj.x + obj.w / 2, obj.y);
          c.lineTo(obj.x + obj.w, obj.y + obj.h / 2);
          c.lineTo(obj.x + obj.w / 2, obj.y + obj.h);
          c.lineTo(obj.x, obj.y + obj.h / 2);
          c.closePath();
        } else c.rect(obj.x, obj.y, obj.w, obj.h);
        c.fillStyle = obj.color;
        c.fill();
        c.lineWidth = 2;
        c.strokeStyle = obj.stroke;
        c.stroke();
        const inset = obj.shape === "rectangle" ? 12 : Math.min(obj.w, obj.h) * 0.2;
        this._text(obj, { padding: inset, maxSize: 24, minSize: 8 }, readableOn(obj.color));
        break;
      }
      case "frame": {
        c.fillStyle = obj.color;
        c.fillRect(obj.x, obj.y, obj.w, obj.h);
        c.lineWidth = 1.5 / z;
        c.strokeStyle = "#9ca3af";
        c.strokeRect(obj.x, obj.y, obj.w, obj.h);
        const size = 14 / Math.max(z, 0.05);
        if (size * z >= 4) {
          c.fillStyle = "#374151";
          c.font = font(Math.min(size, 200), true);
          c.textBaseline = "bottom";
          c.textAlign = "left";
          const title = obj.title || "";
          if (title && this.ui.editingId !== obj.id) c.fillText(title, obj.x, obj.y - 6 / z, obj.w);
        }
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
        else {
          c.fillStyle = entry.state === "error" ? "#fee2e2" : "#e5e7eb";
          c.fillRect(obj.x, obj.y, obj.w, obj.h);
        }
        break;
      }
    }
    if (obj.locked && z > 0.3) {
      c.fillStyle = "#6b7280";
      c.font = font(12 / z);
      c.textAlign = "right";
      c.textBaseline = "top";
      c.fillText("🔒", b.x + b.w - 4 / z, b.y + 4 / z);
    }
  }

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
  }

  _connector(obj) {
    const c = this.c;
    const [a, b] = connectorEnds(obj, this.lookup);
    c.strokeStyle = obj.color;
    c.fillStyle = obj.color;
    c.lineWidth = 2;
    c.setLineDash(obj.dashed ? [8, 6] : []);
    c.beginPath();
    c.moveTo(a.x, a.y);
    c.lineTo(b.x, b.y);
    c.stroke();
    c.setLineDash([]);
    if (obj.arrow === "end" || obj.arrow === "both") arrowHead(c, a, b);
    if (obj.arrow === "start" || obj.arrow === "both") arrowHead(c, b, a);
    if (obj.text && this.ui.editingId !== obj.id) {
      const mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
      c.font = font(14);
      const w = c.measureText(obj.text).width + 10;
      c.fillStyle = "#ffffff";
      c.fillRect(mx - w / 2, my - 11, w, 22);
      c.fillStyle = obj.color;
      c.textAlign = "center";
      c.textBaseline = "middle";
      c.fillText(obj.text, mx, my);
    }
  }

  _outline(obj, color, width) {
    const c = this.c;
    const z = this.camera.zoom;
    c.strokeStyle = color;
    c.lineWidth = width / z;
    if (obj.kind === "connector") {
      const [a, b] = connectorEnds(obj, this.lookup);
      c.beginPath();
      c.moveTo(a.x, a.y);
      c.lineTo(b.x, b.y);
      c.globalAlpha = 0.35;
      c.lineWidth = 8 / z;
      c.stroke();
      c.globalAlpha = 1;
      return;
    }
    const b = bounds(obj, this.lookup);
    const pad = 3 / z;
    c.strokeRect(b.x - pad, b.y - pad, b.w + 2 * pad, b.h + 2 * pad);
  }

  _remoteSelections() {
    for (const [id, color] of this.ui.remoteSelected || []) {
      const obj = this.store.get(id);
      if (obj) this._outline(obj, color, 2);
    }
  }

  _selection() {
    const { c, ui } = this;
    const z = this.camera.zoom;
    const selected = [...ui.selection].map((id) => this.store.get(id)).filter(Boolean);
    for (const obj of selected) this._outline(obj, ACCENT, 2);
    const handles = this.handles();
    c.fillStyle = "#ffffff";
    c.strokeStyle = ACCENT;
    c.lineWidth = 1.5 / z;
    for (const hd of handles) {
      c.fillRect(hd.x - HANDLE / 2 / z, hd.y - HANDLE / 2 / z, HANDLE / z, HANDLE / z);
      c.strokeRect(hd.x - HANDLE / 2 / z, hd.y - HANDLE / 2 / z, HANDLE / z, HANDLE / z);
    }
    if (ui.marquee) {
      const m = ui.marquee;
      c.fillStyle = "rgba(37,99,235,0.08)";
      c.fillRect(m.x, m.y, m.w, m.h);
      c.strokeStyle = ACCENT;
      c.lineWidth = 1 / z;
      c.strokeRect(m.x, m.y, m.w, m.h);
    }
    if (ui.hoverTarget) {
      const obj = this.store.get(ui.hoverTarget);
      if (obj) this._outline(obj, "#16a34a", 3);
    }
  }

  /** Resize handles of a single selected box (world coordinates). */
  handles() {
    if (this.ui.selection.size !== 1 || this.ui.readOnly) return [];
    const obj = this.store.get([...this.ui.selection][0]);
    if (!obj || obj.locked || !("w" in obj) || obj.kind === "path") return [];
    const pad = 3 / this.camera.zoom;
    const x0 = obj.x - pad, y0 = obj.y - pad, x1 = obj.x + obj.w + pad, y1 = obj.y + obj.h + pad;
    return [
      { x: x0, y: y0, corner: "nw" },
      { x: x1, y: y0, corner: "ne" },
      { x: x0, y: y1, corner: "sw" },
      { x: x1, y: y1, corner: "se" },
    ];
  }

  _drafts() {
    const { c, ui } = this;
    const d = ui.draft;
    if (!d) return;
    if (d.kind === "path") {
      c.strokeStyle = d.color;
      c.lineWidth = d.width;
      c.lineCap = "round";
      c.lineJoin = "round";
      c.beginPath();
      strokePoints(c, d.points, 0, 0);
      c.stroke();
    } else if (d.kind === "connector") {
      c.strokeStyle = ACCENT;
      c.fillStyle = ACCENT;
      c.lineWidth = 2 / this.camera.zoom;
      c.beginPath();
      c.moveTo(d.a.x, d.a.y);
      c.lineTo(d.b.x, d.b.y);
      c.stroke();
      arrowHead(c, d.a, d.b);
    } else if (d.kind === "box") {
      c.strokeStyle = ACCENT;
      c.lineWidth = 1.5 / this.camera.zoom;
      c.setLineDash([6 / this.camera.zoom, 4 / this.camera.zoom]);
      c.strokeRect(d.x, d.y, d.w, d.h);
      c.setLineDash([]);
    }
  }
}

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

function arrowHead(c, from, to) {
  const angle = Math.atan2(to.y - from.y, to.x - from.x);
  const size = 12;
  c.beginPath();
  c.moveTo(to.x, to.y);
  c.lineTo(to.x - size * Math.cos(angle - 0.45), to.y - size * Math.sin(angle - 0.45));
  c.lineTo(to.x - size * Math.cos(angle + 0.45), to.y - size * Math.sin(angle + 0.45));
  c.closePath();
  c.fill();
}
