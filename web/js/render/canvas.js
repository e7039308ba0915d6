// Draws the board on one <canvas>: only what is in view, text simplified when tiny,
// redrawn at most once per animation frame. Objects are drawn by the export's rules
// (server/domain/render/layout.py), so a board looks the same here and in a PNG.
// The painting itself is in objects.js (one object) and overlay.js (selection, drafts);
// this file decides what is painted when, and from where (screen or cache).

import { bounds, intersects } from "../geometry.js";
import { stackingOrder } from "../store.js";
import { ContentCache } from "./cache.js";
import { objectPainting } from "./objects.js";
import { overlayPainting } from "./overlay.js";
import { drawnBox, rotate, setCornerScale } from "./shapes.js";

/** A zoom gesture has ended when no zoom step came for this long (ms); then: sharp. */
export const SHARP_MS = 150;

export { padlock, resizable, rotate, strokePoints } from "./shapes.js";

/** The board area an object with bounds `b` paints at zoom `z` (a frame's title sits above it). */
function paintedArea(obj, b, z) {
  if (obj.kind === "frame") return { x: b.x, y: b.y - 30 / Math.min(z, 1), w: b.w, h: b.h + 30 / Math.min(z, 1) };
  return drawnBox(obj, b);
}

/** A comparison in stacking order (z, then id) of what `objOf` gives for each item. */
const byStacking = (objOf) => (p, q) => stackingOrder(objOf(p), objOf(q));

/** The smallest rectangle holding `a` (or null) and `b`. */
function union(a, b) {
  if (!a) return { ...b };
  const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
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
    this.paintedScale = 0; // device pixels per board unit of the last frame
    this.zoomedAt = -Infinity; // when the last frame with a new zoom was painted
    this.sharpTimer = 0;
    /** What the last frame was: "direct", "cache", "scaled" (a zoom step) or "lifted" (a drag); tests read it. */
    this.painted = "";
    /** Zoom frames from the scaled cache (false: every zoom frame painted; the bench's A/B). */
    this.scaleWhileZooming = true;
    this.lookup = (id) => store.get(id);
    this.onRender = null;
    this.decorate = null; // (context, obj, bounds, zoom): marks drawn on top of an object
    // What the cached content is drawn from. Anything else that changes the content
    // must call invalidate() (board.js does for the session's marks and the fonts).
    store.addEventListener("change", (e) => this._storeChanged(e.detail && e.detail.ids));
    /** While objects are dragged or resized (store.preview): what _lifted() measured for the drag. */
    this.lift = null;
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
    this.lift = null;
    this.cache.invalidate();
    this.request();
  }

  /**
   * A frame of a drag changes only the lifted objects (see _paintLifted): the cached
   * rest of the board stays. Anything else is a change of the content.
   */
  _storeChanged(ids) {
    const { preview } = this.store;
    if (ids && this.lift && preview.size && this.store.previewSet === this.lift.key && [...ids].every((id) => this.lift.ids.has(id))) {
      this.request();
      return;
    }
    this.invalidate();
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
   * is a copy of the cache, built if needed. While objects are dragged or resized, the
   * frame is "lifted" (_paintLifted): the cache without them, and the rectangle they
   * cover repainted with them in stacking order.
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
      const lift = this._lifted();
      if (lift) mode = "lifted";
      let at;
      if (mode === "lifted") {
        at = this._paintLifted(scale, key, w, h, lift);
      } else if (mode === "scaled") {
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
   * While objects are dragged or resized: the lifted objects (`ids`: the preview's, and
   * connectors attached to them, which follow; `order`: those in stacking order) and
   * the others with their painted areas; null otherwise.
   */
  _lifted() {
    const { store } = this;
    if (!store.preview.size) {
      this.lift = null;
      return null;
    }
    const key = store.previewSet; // the same ids dragged: the same lift
    if (this.lift && this.lift.key === key) return this.lift;
    const ids = new Set(store.preview.keys());
    for (const obj of store.view.values()) {
      if (obj.kind === "connector" && (ids.has(obj.from?.id) || ids.has(obj.to?.id))) ids.add(obj.id);
    }
    const order = [...ids].filter((id) => store.view.has(id)).sort(byStacking((id) => store.view.get(id)));
    // Everything else, in stacking order with the area it paints: it does not move
    // during the drag, so this is measured once (pen strokes' bounds are not cheap).
    const z = this.camera.zoom;
    const others = [];
    for (const obj of store.sorted()) {
      if (ids.has(obj.id)) continue;
      const b = bounds(obj, this.lookup);
      others.push({ obj, b, area: paintedArea(obj, b, z) });
    }
    this.lift = { key, ids, order, others, zoom: z };
    return this.lift;
  }

  /**
   * A frame of a drag or resize: the rest of the board from the cache (painted once,
   * without the lifted objects, when the drag starts), then the rectangle the lifted
   * objects cover now painted again from the background up: the grid, and every object
   * there, the lifted ones among the others in stacking order (so one dragged under
   * another stays under it). A frame costs a copy and the objects in that rectangle,
   * not the whole board (at "zoom to fit" on 50,000 objects: docs/performance.md).
   */
  _paintLifted(scale, key, w, h, lift) {
    const at = this._paintFromCache(scale, `${key}|lift ${lift.key}`, w, h, lift.ids, 0);
    const { screen, store, lookup } = this;
    const z = this.camera.zoom;
    if (z !== lift.zoom) {
      for (const o of lift.others) o.area = paintedArea(o.obj, o.b, z);
      lift.zoom = z;
    }
    // The lifted objects in view (a drag of everything at 100 % paints only what shows).
    const view = this.camera.visible();
    const seen = { x: view.x - 40 / z, y: view.y - 40 / z, w: view.w + 80 / z, h: view.h + 80 / z };
    const lifted = [];
    let box = null;
    for (const id of lift.order) {
      const obj = store.get(id);
      if (!obj) continue;
      const b = bounds(obj, lookup);
      const painted = paintedArea(obj, b, z);
      if (!intersects(seen, painted)) continue;
      lifted.push({ obj, b });
      box = union(box, painted);
    }
    if (!box) return at;
    // The rectangle in whole device pixels (so its edges are not blended), with the
    // margin the culling in _objects allows for strokes, arrowheads and shadows.
    const m = 40 / z;
    const x0 = Math.max(0, Math.floor(at.dx + (box.x - m) * scale));
    const y0 = Math.max(0, Math.floor(at.dy + (box.y - m) * scale));
    const x1 = Math.min(w, Math.ceil(at.dx + (box.x + box.w + m) * scale));
    const y1 = Math.min(h, Math.ceil(at.dy + (box.y + box.h + m) * scale));
    if (x1 <= x0 || y1 <= y0) return at;
    const area = { x: (x0 - at.dx) / scale, y: (y0 - at.dy) / scale, w: (x1 - x0) / scale, h: (y1 - y0) / scale };
    // What may paint into it: as _objects culls, with the same margin around the area.
    const wide = { x: area.x - m, y: area.y - m, w: area.w + 2 * m, h: area.h + 2 * m };
    const below = lift.others.filter((o) => intersects(wide, o.area));
    // Both lists are in stacking order: merged, they are the order to paint in.
    const here = [];
    const before = byStacking((o) => o.obj);
    let i = 0, j = 0;
    while (i < lifted.length || j < below.length) {
      if (j >= below.length || (i < lifted.length && before(lifted[i], below[j]) < 0)) here.push(lifted[i++]);
      else here.push(below[j++]);
    }
    screen.save();
    screen.setTransform(1, 0, 0, 1, 0, 0);
    screen.beginPath();
    screen.rect(x0, y0, x1 - x0, y1 - y0);
    screen.clip();
    screen.fillStyle = "#fafaf9";
    screen.fillRect(x0, y0, x1 - x0, y1 - y0);
    screen.setTransform(scale, 0, 0, scale, at.dx, at.dy);
    setCornerScale(scale);
    this._grid(area, ((x1 - x0) * (y1 - y0)) / (w * h));
    for (const { obj, b } of here) this._paintObject(obj, b);
    screen.restore();
    return at;
  }

  /**
   * Copy the cached content to the screen at a whole-pixel offset, drawing the cache
   * again first if it is out of date or does not cover the view (without the objects
   * in `skip`, when given; `margin`: the cache's, see ContentCache.prepare).
   */
  _paintFromCache(scale, key, w, h, skip = null, margin = undefined) {
    const { cache, screen } = this;
    if (!cache.covers(this.camera, scale, key, w, h)) {
      const area = cache.prepare(this.camera, scale, key, w, h, margin);
      const views = (cache.canvas.width * cache.canvas.height) / (w * h);
      this._paintContent(cache.c, scale, -cache.ox * scale, -cache.oy * scale, area, views, skip);
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
   * the area is as large as (the grid's limit on dots is per view). `skip`: ids left out.
   */
  _paintContent(c, scale, dx, dy, area, views, skip = null) {
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.fillStyle = "#fafaf9";
    c.fillRect(0, 0, c.canvas.width, c.canvas.height);
    c.setTransform(scale, 0, 0, scale, dx, dy);
    setCornerScale(scale);
    this.c = c;
    try {
      this._grid(area, views);
      this._objects(area, skip);
    } finally {
      this.c = this.screen;
    }
  }

  /** Every object that touches `area` (board units), in stacking order, but `skip`'s. */
  _objects(area, skip = null) {
    const z = this.camera.zoom;
    const margin = 40 / z;
    const wide = { x: area.x - margin, y: area.y - margin, w: area.w + 2 * margin, h: area.h + 2 * margin };
    const lookup = this.lookup;
    let drawn = 0;
    for (const obj of this.store.sorted()) {
      if (skip && skip.has(obj.id)) continue;
      const b = bounds(obj, lookup);
      if (!intersects(wide, paintedArea(obj, b, z))) continue;
      drawn++;
      this._paintObject(obj, b);
    }
    this.drawn = drawn;
  }

  /** One object (bounds `b`) on the context being painted, with the session's marks. */
  _paintObject(obj, b) {
    const { c, ui } = this;
    c.globalAlpha = ui.erasing && ui.erasing.has(obj.id) ? 0.25 : 1;
    const turned = rotate(c, obj, b);
    this._object(obj);
    if (this.decorate) this.decorate(c, obj, b, this.camera.zoom);
    if (turned) c.restore();
    c.globalAlpha = 1;
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
