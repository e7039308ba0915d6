// Where the camera looks and what is under a point: zoom to fit or to the selection,
// bring one object into view, pick the topmost object or frame at a board point.

import { bounds, hit, insideFrame, unionBounds } from "../geometry.js";

export class View {
  constructor({ store, camera, selection, canvas }) {
    this.store = store;
    this.camera = camera;
    this.selection = selection;
    this.canvas = canvas;
    this.lookup = (id) => store.get(id);
    for (const name of ["pick", "frameAt", "showObject", "zoomToFit", "zoomToSelection"]) this[name] = this[name].bind(this);
  }

  contentBounds(objs) {
    return unionBounds(objs.map((o) => bounds(o, this.lookup)));
  }

  zoomToFit() {
    this.camera.fit(this.contentBounds(this.store.sorted()), 60, 1);
  }

  zoomToSelection() {
    const objs = [...this.selection].map(this.lookup).filter(Boolean);
    const b = this.contentBounds(objs);
    if (b) this.camera.fit(b, 80, 2);
  }

  /** Select one object and bring it into view (fitting it only when it is large). */
  showObject(id) {
    const { camera } = this;
    const obj = this.store.get(id);
    if (!obj) return;
    this.selection.set([id]);
    const b = bounds(obj, this.lookup);
    if (b.w * camera.zoom > camera.width * 0.8 || b.h * camera.zoom > camera.height * 0.8) camera.fit(b, 80, 1);
    else camera.centerOn({ x: b.x + b.w / 2, y: b.y + b.h / 2 });
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
