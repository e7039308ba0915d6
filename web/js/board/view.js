// Where the camera looks and what is under a point: the first view (readable first),
// summons, zoom to fit or to the selection, bring one object into view, pick the
// topmost object or frame at a board point. Everything is placed in the free area
// (freearea.js): clear of the tool column, the top bar and open panels.

import { fitView, revealView } from "../camera.js";
import { freeArea } from "../freearea.js";
import { bounds, hit, insideFrame, unionBounds } from "../geometry.js";
import { focusRect, notesIn, readableZoom } from "../readable.js";
import { textLayout } from "../render/text.js";

export class View {
  constructor({ store, camera, selection, canvas }) {
    this.store = store;
    this.camera = camera;
    this.selection = selection;
    this.canvas = canvas;
    this.lookup = (id) => store.get(id);
    for (const name of ["pick", "frameAt", "showObject", "zoomToFit", "zoomToSelection", "openView", "showRect", "showView", "reveal"]) this[name] = this[name].bind(this);
  }

  /** The free area of the canvas (px from its top-left), see freearea.js. */
  area() {
    const a = freeArea(this.canvas);
    return a.w >= 1 && a.h >= 1 ? a : { x: 0, y: 0, w: this.camera.width, h: this.camera.height };
  }

  /** The zoom at which the notes in world rectangle `b` are readable (readable.js). */
  readableZoom(b) {
    const notes = notesIn(this.store.sorted(), this.lookup, b);
    return readableZoom(notes.map((n) => textLayout(n).size));
  }

  /**
   * Show world rectangle `b` in the free area: fitted, but never zoomed out below the
   * readable zoom of its notes; too big, its top-left corner (`anchor` "start") or its
   * middle ("center") is shown and the rest is a pan away.
   */
  showRect(b, anchor = "start") {
    if (!b) return;
    this.camera.go(fitView(b, this.area(), { margin: 32, maxFit: 1, floor: this.readableZoom(b), anchor }));
  }

  /** The first view of the page: the frame that matters, readable (readable.js focusRect). */
  openView(session) {
    const b = focusRect(this.store.sorted(), this.lookup, session);
    if (b) this.showRect(b, "start");
    else this.zoomToFit();
  }

  /** Someone else's view {x, y, zoom, w?, h?} (a summon): its middle, readable, in my free area. */
  showView(v) {
    const { camera } = this;
    const w = v.w > 0 ? v.w : camera.width / v.zoom;
    const h = v.h > 0 ? v.h : camera.height / v.zoom;
    if (!(w > 0 && h > 0)) return;
    const b = { x: v.x, y: v.y, w, h };
    camera.go(fitView(b, this.area(), { margin: 0, maxFit: 8, floor: this.readableZoom(b), anchor: "center" }));
  }

  /** Pan (or zoom out) only as far as needed to have world rectangle `b` in the free area. */
  reveal(b) {
    if (b) this.camera.go(revealView(b, this.area(), this.camera));
  }

  contentBounds(objs) {
    return unionBounds(objs.map((o) => bounds(o, this.lookup)));
  }

  /** Everything on the board in the free area (no readable floor: asked for the overview). */
  zoomToFit() {
    const b = this.contentBounds(this.store.sorted());
    if (!b) return this.camera.fit(null);
    this.camera.go(fitView(b, this.area(), { margin: 48, maxFit: 1 }));
  }

  zoomToSelection() {
    const objs = [...this.selection].map(this.lookup).filter(Boolean);
    const b = this.contentBounds(objs);
    if (b) this.camera.go(fitView(b, this.area(), { margin: 64, maxFit: 2 }));
  }

  /** Select one object and bring it into view (fitting it only when it is large). */
  showObject(id) {
    const { camera } = this;
    const obj = this.store.get(id);
    if (!obj) return;
    this.selection.set([id]);
    const b = bounds(obj, this.lookup);
    const area = this.area();
    if (b.w * camera.zoom > area.w * 0.8 || b.h * camera.zoom > area.h * 0.8) camera.go(fitView(b, area, { margin: 64, maxFit: 1 }));
    else camera.go(fitView(b, area, { maxFit: camera.zoom, floor: camera.zoom, maxZoom: camera.zoom }));
    this.canvas.focus();
  }

  /** Topmost object under world point `p`. Frames are picked by title/border. */
  pick(p) {
    const tol = 4 / this.camera.zoom;
    const all = this.store.sorted();
    for (let i = all.length - 1; i >= 0; i--) if (hit(all[i], p, tol, this.lookup)) return all[i];
    return null;
  }

  /** Topmost frame whose area holds world point `p`. */
  frameAt(p) {
    const all = this.store.sorted();
    for (let i = all.length - 1; i >= 0; i--) if (all[i].kind === "frame" && insideFrame(all[i], p)) return all[i];
    return null;
  }
}
