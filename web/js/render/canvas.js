// Draws the board on one <canvas>: only what is in view, text simplified when tiny,
// redrawn at most once per animation frame. Objects are drawn by the export's rules
// (server/domain/render/layout.py), so a board looks the same here and in a PNG.
// The painting itself is in objects.js (one object) and overlay.js (selection, drafts);
// this file decides what is painted when, and from where (screen or cache).

import { bounds, intersects } from "../geometry.js";
import { ContentCache } from "./cache.js";
import { objectPainting } from "./objects.js";
import { overlayPainting } from "./overlay.js";
import { drawnBox, rotate, setCornerScale } from "./shapes.js";

/** A zoom gesture has ended when no zoom step came for this long (ms); then: sharp. */
export const SHARP_MS = 150;

export { padlock, resizable, rotate, strokePoints } from "./shapes.js";

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
    this.paintedScale = 0; // device pixels per board unit of the last frame
    this.zoomedAt = -Infinity; // when the last frame with a new zoom was painted
    this.sharpTimer = 0;
    /** What the last frame was: "direct", "cache" or "scaled" (a zoom step; tests read it). */
    this.painted = "";
    /** Zoom frames from the scaled cache (false: every zoom frame painted; the bench's A/B). */
    this.scaleWhileZooming = true;
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
   * When the content changed since the last frame (an edit, a drag), it is painted
   * straight onto the screen: a cached copy would likely be out of date by the next
   * frame, and filling the cache's margin and copying it cost more than painting the
   * view once. A zoom step is the cached bitmap scaled (so are the other frames of the
   * gesture while it goes on), and SHARP_MS after the last step the view is painted
   * sharp again (a zoom frame at fit on 10,000 objects: docs/performance.md). Otherwise
   * (the view only moved, or only the selection or others' cursors changed) the frame
   * is a copy of the cache, built if needed.
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
      const now = performance.now();
      // A zoom step (not the first frame, nor a resize of the page).
      const zoomStep = this.paintedScale && scale !== this.paintedScale && this.paintedDpr === this.dpr;
      if (zoomStep) this.zoomedAt = now;
      this.paintedScale = scale;
      this.paintedDpr = this.dpr;
      const zooming = this.scaleWhileZooming && now - this.zoomedAt < SHARP_MS;
      // Scaled: a zoom step, or another frame of a gesture whose last frame was scaled.
      const scaled = zooming && (zoomStep || this.painted === "scaled") && this.cache.scalable(scale, key);
      let mode;
      if (!this.scaleWhileZooming) mode = changed || zoomStep ? "direct" : "cache";
      else if (changed) mode = "direct";
      else if (this.cache.covers(this.camera, scale, key, w, h)) mode = "cache";
      else if (scaled) mode = "scaled";
      else mode = zoomStep ? "direct" : "cache";
      let at;
      if (mode === "scaled") {
        this.cache.drawScaled(this.screen, this.camera, scale);
        at = { dx: -this.camera.x * scale, dy: -this.camera.y * scale };
      } else if (mode === "direct") {
        at = this._paintDirect(scale);
        // The next zoom step scales this view instead of painting it again.
        if (zooming) this.cache.adopt(this.canvas, this.camera, scale, key);
      } else {
        at = this._paintFromCache(scale, key, w, h);
      }
      this.painted = mode;
      if (mode === "scaled") this._sharpSoon(now);
      // On top, in the frame the content was painted in (pixel-rounded for the cache).
      this.screen.setTransform(scale, 0, 0, scale, at.dx, at.dy);
      this._lockMarks();
      this._remoteSelections();
      this._selection();
      this._drafts();
    }
    if (this.onRender) this.onRender();
  }

  /** A frame SHARP_MS after the last zoom step: it paints the view sharp again. */
  _sharpSoon(now) {
    clearTimeout(this.sharpTimer);
    this.sharpTimer = setTimeout(() => this.request(), SHARP_MS - (now - this.zoomedAt) + 5);
  }

  /**
   * What the content depends on besides the store, the images, the fonts and the
   * session (which invalidate) and the zoom: the object being edited (its text is
   * hidden under the editor) and the strokes under the eraser (drawn faint).
   */
  _contentKey() {
    const { ui } = this;
    const erasing = ui.erasing ? [...ui.erasing].join(",") : "-";
    return `${this.dpr || 1}|${ui.editingId || ""}|${erasing}`;
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
    setCornerScale(scale);
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
  }}

Object.assign(Renderer.prototype, objectPainting, overlayPainting);
