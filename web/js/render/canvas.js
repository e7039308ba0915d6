// Draws the board on one <canvas>: only what is in view, text simplified when tiny,
// redrawn at most once per animation frame. Objects are drawn by the export's rules
// (server/domain/render/layout.py), so a board looks the same here and in a PNG.

import { bounds, center, connectorEnds, groupBox, groupMembers, intersects, rotationOf, turn } from "../geometry.js";
import { ContentCache } from "./cache.js";
import { BASELINE, LINE_HEIGHT, NOTE_PAD, TAG_SIZE, fitted, font, labelLayout, textLayout, textWidth, wrapText } from "./text.js";

const HANDLE = 8;
const ACCENT = "#2563eb";
const INK = "#1f2937";
const ARROW = 14;

// Corners under a quarter of a screen pixel look the same square, and rect is much
// cheaper to fill than roundRect (thousands of notes at "zoom to fit").
let cornerScale = 1;

function roundRect(c, x, y, w, h, r) {
  c.beginPath();
  c.roundRect && r * cornerScale >= 0.25 ? c.roundRect(x, y, w, h, r) : c.rect(x, y, w, h);
}

function readableOn(hex) {
  const n = parseInt(hex.slice(1), 16);
  const r = (n >> 16) & 255, g = (n >> 8) & 255, b = n & 255;
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? INK : "#ffffff";
}

export class Renderer {
  constructor(canvas, store, camera, images, ui) {
    this.canvas = canvas;
    this.screen = canvas.getContext("2d");
    this.c = this.screen; // the context being painted: the content cache's or the screen's
    this.cache = new ContentCache();
    this.store = store;
    this.camera = camera;
    this.images = images;
    this.ui = ui;
    this.frame = 0;
    this.changed = true; // the content changed since the last frame (see draw)
    this.paintedKey = "";
    this.lookup = (id) => store.get(id);
    this.onRender = null;
    this.decorate = null; // (context, obj, bounds, zoom): marks drawn on top of an object
    // What the cached content is drawn from. Anything else that changes the content
    // must call invalidate() (board.js does for the session's marks and the fonts).
    store.addEventListener("change", () => this.invalidate());
    images.addEventListener("load", () => this.invalidate());
    // A font the browser fetched late (another script's glyphs) changes how text looks.
    document.fonts?.addEventListener?.("loadingdone", () => this.invalidate());
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

  /**
   * Paint at the next animation frame. The board's content is drawn again only if it
   * changed (see invalidate) or the view left the cached area or zoom; the selection,
   * others' selections and drafts are drawn on every frame.
   */
  request() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  /** The board's content changed: draw it again at the next frame, not from the cache. */
  invalidate() {
    this.changed = true;
    this.cache.invalidate();
    this.request();
  }

  /**
   * Paint now. A frame already scheduled by request() is dropped: it would paint the
   * same state again (the bench and tests call draw() right after moving the camera,
   * which also requests a frame; that used to paint every frame twice).
   *
   * When the content or the zoom changed since the last frame (an edit, a drag, a zoom
   * gesture), it is painted straight onto the screen: a cached copy would likely be out
   * of date by the next frame, and filling the cache's margin and copying it cost more
   * than painting the view once. Otherwise (the view only moved, or only the selection
   * or others' cursors changed) the frame is a copy of the cache, built if needed.
   */
  draw() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const scale = (this.dpr || 1) * this.camera.zoom;
    const w = this.canvas.width, h = this.canvas.height;
    if (w && h) {
      const key = this._contentKey();
      const changed = this.changed || key !== this.paintedKey;
      this.changed = false;
      this.paintedKey = key;
      const { dx, dy } = changed ? this._paintDirect(scale) : this._paintFromCache(scale, key, w, h);
      // On top, in the frame the content was painted in (pixel-rounded for the cache).
      this.screen.setTransform(scale, 0, 0, scale, dx, dy);
      this._lockMarks();
      this._remoteSelections();
      this._selection();
      this._drafts();
    }
    if (this.onRender) this.onRender();
  }

  /**
   * What the content depends on besides the store, the images, the fonts and the
   * session (which invalidate): the zoom, the object being edited (its text is hidden
   * under the editor) and the strokes under the eraser (drawn faint).
   */
  _contentKey() {
    const { ui } = this;
    const erasing = ui.erasing ? [...ui.erasing].join(",") : "-";
    return `${this.dpr || 1}|${this.camera.zoom}|${ui.editingId || ""}|${erasing}`;
  }

  /** Paint the grid and the objects in view onto the screen; returns the translation used. */
  _paintDirect(scale) {
    const { camera } = this;
    const dx = -camera.x * scale, dy = -camera.y * scale;
    this._paintContent(this.screen, scale, dx, dy, camera.visible(), 1);
    this.cache.invalidate();
    return { dx, dy };
  }

  /**
   * Copy the cached content to the screen at a whole-pixel offset, drawing the cache
   * again first if it is out of date or does not cover the view.
   */
  _paintFromCache(scale, key, w, h) {
    const { cache, screen } = this;
    if (!cache.covers(this.camera, scale, key, w, h)) {
      const area = cache.prepare(this.camera, scale, key, w, h);
      const views = (cache.canvas.width * cache.canvas.height) / (w * h);
      this._paintContent(cache.c, scale, -cache.ox * scale, -cache.oy * scale, area, views);
    }
    const { dx, dy } = cache.offset(this.camera, scale);
    screen.setTransform(1, 0, 0, 1, 0, 0);
    screen.imageSmoothingEnabled = false;
    screen.drawImage(cache.canvas, dx, dy);
    screen.imageSmoothingEnabled = true;
    return { dx: dx - cache.ox * scale, dy: dy - cache.oy * scale };
  }

  /**
   * Background, dot grid and the objects touching `area` (board units), painted on
   * context `c` with board-to-pixel transform (scale, dx, dy). `views`: how many views
   * the area is as large as (the grid's limit on dots is per view).
   */
  _paintContent(c, scale, dx, dy, area, views) {
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.fillStyle = "#fafaf9";
    c.fillRect(0, 0, c.canvas.width, c.canvas.height);
    c.setTransform(scale, 0, 0, scale, dx, dy);
    cornerScale = scale;
    this.c = c;
    try {
      this._grid(area, views);
      this._objects(area);
    } finally {
      this.c = this.screen;
    }
  }

  /** Every object that touches `area` (board units), in stacking order. */
  _objects(area) {
    const { c, ui } = this;
    const z = this.camera.zoom;
    const margin = 40 / z;
    const wide = { x: area.x - margin, y: area.y - margin, w: area.w + 2 * margin, h: area.h + 2 * margin };
    const lookup = this.lookup;
    let drawn = 0;
    for (const obj of this.store.sorted()) {
      const b = bounds(obj, lookup);
      // Frame titles sit above the frame.
      const test = obj.kind === "frame" ? { x: b.x, y: b.y - 30 / Math.min(z, 1), w: b.w, h: b.h + 30 / Math.min(z, 1) } : drawnBox(obj, b);
      if (!intersects(wide, test)) continue;
      drawn++;
      c.globalAlpha = ui.erasing && ui.erasing.has(obj.id) ? 0.25 : 1;
      const turned = rotate(c, obj, b);
      this._object(obj);
      if (this.decorate) this.decorate(c, obj, b, z);
      if (turned) c.restore();
    }
    c.globalAlpha = 1;
    this.drawn = drawn;
  }

  /**
   * Dots every 40 board units (sparser when zoomed out) over `area`. `views` is how
   * many views the area is as large as: the limit on dots is per view.
   */
  _grid(area, views = 1) {
    const { c, camera } = this;
    const z = camera.zoom;
    let step = 40;
    while (step * z < 16) step *= 4;
    if (step * z > 160) return;
    const r = 1.2 / z;
    c.fillStyle = "#d6d3d1";
    const x0 = Math.floor(area.x / step) * step, y0 = Math.floor(area.y / step) * step;
    const cols = Math.ceil(area.w / step) + 1, rows = Math.ceil(area.h / step) + 1;
    if (cols * rows > 6000 * views) return;
    c.beginPath();
    for (let i = 0; i <= cols; i++) for (let j = 0; j <= rows; j++) c.rect(x0 + i * step - r, y0 + j * step - r, 2 * r, 2 * r);
    c.fill();
  }

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
  }

  _text(obj, color) {
    if (this.ui.editingId === obj.id || !obj.text) return;
    this._lines(textLayout(obj), color);
  }

  /** A note's tag (party initials) on its own line at the bottom, as the export writes it:
   * colour is never the only cue for a party. */
  _tag(obj) {
    if (!obj.tag || this.ui.editingId === obj.id) return;
    const box = [obj.x + NOTE_PAD, obj.y + obj.h - NOTE_PAD - TAG_SIZE - 2, obj.w - 2 * NOTE_PAD, TAG_SIZE + 4];
    this._lines({ box, lines: [obj.tag], size: TAG_SIZE, bold: true, align: "left", valign: "middle" }, "#374151");
  }

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
  }

  /**
   * Locked objects say so when selected (a template's background is all locked). On
   * top of the content, so that selecting never redraws the content.
   */
  _lockMarks() {
    const { c, camera, ui } = this;
    const z = camera.zoom;
    if (z <= 0.3) return;
    for (const id of ui.selection) {
      const obj = this.store.get(id);
      if (!obj || !obj.locked) continue;
      const b = bounds(obj, this.lookup);
      const turned = rotate(c, obj, b);
      padlock(c, b.x + b.w - 4 / z, b.y + 4 / z, 1 / z);
      if (turned) c.restore();
    }
  }

  /** Bold 18 px above the top-left corner, as in the export; never below 12 screen px. */
  _frameTitle(obj, z) {
    const size = Math.min(Math.max(18, 12 / z), 400);
    if (size * z < 4) return;
    const first = wrapText(obj.title, size, Math.max(obj.w, 40), true);
    const line = first[0] + (first.length > 1 ? "…" : "");
    const y = size === 18 ? obj.y - 28 : obj.y - 6 / z - size * LINE_HEIGHT;
    this._lines({ box: [obj.x, y, obj.w, size === 18 ? 24 : size * LINE_HEIGHT], lines: [line], size, bold: true, align: "left", valign: "middle" }, "#374151");
  }

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
    const turned = rotate(c, obj, b);
    c.strokeRect(b.x - pad, b.y - pad, b.w + 2 * pad, b.h + 2 * pad);
    if (turned) c.restore();
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
    if (handles.length && handles[0].group) {
      // A multi-selection is resized as one: a thin dashed box joins its four handles.
      const [nw, , , se] = handles;
      c.strokeStyle = ACCENT;
      c.lineWidth = 1 / z;
      c.setLineDash([4 / z, 3 / z]);
      c.strokeRect(nw.x, nw.y, se.x - nw.x, se.y - nw.y);
      c.setLineDash([]);
    }
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

  /**
   * Resize handles (world coordinates), in the order nw, ne, sw, se. One selected box
   * or stroke: the corners of its selection outline, turned with the object so they sit
   * where it is drawn. Connectors have none: a connector is sized by the two ends it
   * joins. Several selected objects: the corners of the axis-aligned box around the
   * unlocked ones (groupBox()), marked `group: true`; the select tool scales them all
   * together.
   */
  handles() {
    if (this.ui.readOnly || !this.ui.selection.size) return [];
    if (this.ui.selection.size > 1) return this._groupHandles();
    const obj = this.store.get([...this.ui.selection][0]);
    if (!obj || obj.locked || !resizable(obj)) return [];
    const b = bounds(obj, this.lookup);
    const pad = 3 / this.camera.zoom;
    const x0 = b.x - pad, y0 = b.y - pad, x1 = b.x + b.w + pad, y1 = b.y + b.h + pad;
    const c = center(b), deg = rotationOf(obj);
    const corners = [
      { x: x0, y: y0, corner: "nw" },
      { x: x1, y: y0, corner: "ne" },
      { x: x0, y: y1, corner: "sw" },
      { x: x1, y: y1, corner: "se" },
    ];
    return corners.map((hd) => ({ ...turn(hd, c, deg), corner: hd.corner }));
  }

  _groupHandles() {
    const selected = [...this.ui.selection].map((id) => this.store.get(id)).filter(Boolean);
    const b = groupBox(groupMembers(selected), this.lookup);
    if (!b) return [];
    const pad = 3 / this.camera.zoom;
    const x0 = b.x - pad, y0 = b.y - pad, x1 = b.x + b.w + pad, y1 = b.y + b.h + pad;
    return [
      { x: x0, y: y0, corner: "nw", group: true },
      { x: x1, y: y0, corner: "ne", group: true },
      { x: x0, y: y1, corner: "sw", group: true },
      { x: x1, y: y1, corner: "se", group: true },
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
      const len = Math.hypot(d.b.x - d.a.x, d.b.y - d.a.y);
      if (len > 1e-6) arrowHead(c, d.b, (d.b.x - d.a.x) / len, (d.b.y - d.a.y) / len, Math.min(ARROW, len / 3));
    } else if (d.kind === "box") {
      c.strokeStyle = ACCENT;
      c.lineWidth = 1.5 / this.camera.zoom;
      c.setLineDash([6 / this.camera.zoom, 4 / this.camera.zoom]);
      c.strokeRect(d.x, d.y, d.w, d.h);
      c.setLineDash([]);
    }
  }
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
function arrowHead(c, tip, ux, uy, size) {
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
function drawnBox(obj, b) {
  if (!obj.rotation || obj.kind === "connector") return b;
  const a = (obj.rotation * Math.PI) / 180;
  const ex = Math.abs((b.w / 2) * Math.cos(a)) + Math.abs((b.h / 2) * Math.sin(a));
  const ey = Math.abs((b.w / 2) * Math.sin(a)) + Math.abs((b.h / 2) * Math.cos(a));
  return { x: b.x + b.w / 2 - ex, y: b.y + b.h / 2 - ey, w: 2 * ex, h: 2 * ey };
}
