// The board's content (dot grid and objects) kept as a bitmap a little larger than the
// view. While the camera only moves at one zoom, a frame copies this bitmap to the
// screen instead of drawing every object again: at "zoom to fit" on a 2,000-object
// board, drawing costs ~4 ms of script plus ~7 ms of software raster per frame, and
// grows with the board; the copy does not. What changes often and is small (selection,
// others' selections, drafts) is drawn on top every frame and never cached.

/** Extra room rendered on each side, as a fraction of the view's width and height. */
export const MARGIN = 0.25;

export class ContentCache {
  constructor() {
    this.canvas = document.createElement("canvas");
    // Opaque: the board has a solid background, and an opaque copy is cheaper.
    this.c = this.canvas.getContext("2d", { alpha: false });
    this.stale = true;
    this.key = "";
    this.scale = 0; // device pixels per board unit when it was drawn
    this.ox = 0; // board point at the bitmap's top-left pixel
    this.oy = 0;
  }

  /** The content changed: the next frame draws it again. */
  invalidate() {
    this.stale = true;
  }

  /**
   * Where the bitmap's top-left pixel goes on the screen, in whole device pixels.
   * Rounded so that the copy is pixel for pixel (a fractional offset would resample
   * the bitmap and blur text); everything drawn on top uses the same rounded offset.
   */
  offset(camera, scale) {
    return { dx: Math.round((this.ox - camera.x) * scale), dy: Math.round((this.oy - camera.y) * scale) };
  }

  /** True when the bitmap shows `key` at `scale` and covers a w×h device-pixel view. */
  covers(camera, scale, key, w, h) {
    if (this.stale || key !== this.key || scale !== this.scale) return false;
    const { dx, dy } = this.offset(camera, scale);
    return dx <= 0 && dy <= 0 && dx + this.canvas.width >= w && dy + this.canvas.height >= h;
  }

  /**
   * Make room for drawing the content around the view (w×h device pixels) with a
   * margin on every side, so that panning can go on for a while before the next redraw.
   * Returns the board rectangle the bitmap shows; the caller draws into `this.c`.
   */
  prepare(camera, scale, key, w, h) {
    const mx = Math.round(w * MARGIN), my = Math.round(h * MARGIN);
    const cw = w + 2 * mx, ch = h + 2 * my;
    if (this.canvas.width !== cw || this.canvas.height !== ch) {
      this.canvas.width = cw;
      this.canvas.height = ch;
    }
    this.ox = camera.x - mx / scale;
    this.oy = camera.y - my / scale;
    this.scale = scale;
    this.key = key;
    this.stale = false;
    return { x: this.ox, y: this.oy, w: cw / scale, h: ch / scale };
  }
}
