// The board's content (dot grid and objects) kept as a bitmap a little larger than the
// view. While the camera only moves at one zoom, a frame copies this bitmap to the
// screen instead of drawing every object again: at "zoom to fit" on a 2,000-object
// board, drawing costs ~4 ms of script plus ~7 ms of software raster per frame, and
// grows with the board; the copy does not. What changes often and is small (selection,
// others' selections, drafts) is drawn on top every frame and never cached.

/** Extra room rendered on each side, as a fraction of the view's width and height. */
export const MARGIN = 0.25;

/**
 * How far a zoom step may scale the bitmap before the frame is painted anew instead:
 * below half size the bitmap leaves much of the view empty, above 3× it is a blur.
 */
export const SCALE_RANGE = [0.5, 3];

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
   * True when the bitmap shows `key` and can stand in, scaled, for a frame at `scale`
   * (a zoom step): see SCALE_RANGE.
   */
  scalable(scale, key) {
    const r = scale / this.scale;
    return !this.stale && key === this.key && r >= SCALE_RANGE[0] && r <= SCALE_RANGE[1];
  }

  /**
   * Draw the bitmap scaled onto the screen context `c` as it would look at `scale`:
   * smoothed, and the part of the view it does not reach left as background.
   */
  drawScaled(c, camera, scale) {
    const r = scale / this.scale;
    const { width, height } = c.canvas;
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.fillStyle = "#fafaf9";
    c.fillRect(0, 0, width, height);
    c.drawImage(this.canvas, (this.ox - camera.x) * scale, (this.oy - camera.y) * scale, this.canvas.width * r, this.canvas.height * r);
  }

  /**
   * Keep a w×h view just painted on `source` (the screen, before anything is drawn on
   * top) as the bitmap: the next zoom step can then scale it. It has no margin, so a
   * pan at this zoom draws the bitmap again (covers() is false once the view moves).
   */
  adopt(source, camera, scale, key) {
    const { width, height } = source;
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.c.setTransform(1, 0, 0, 1, 0, 0);
    this.c.drawImage(source, 0, 0);
    this.ox = camera.x;
    this.oy = camera.y;
    this.scale = scale;
    this.key = key;
    this.stale = false;
  }

  /**
   * Make room for drawing the content around the view (w×h device pixels) with a
   * margin on every side, so that panning can go on for a while before the next redraw
   * (none for a drag's cache: the view rarely moves during one, and it is painted anew
   * whenever someone else's edit lands).
   * Returns the board rectangle the bitmap shows; the caller draws into `this.c`.
   */
  prepare(camera, scale, key, w, h, margin = MARGIN) {
    const mx = Math.round(w * margin), my = Math.round(h * margin);
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
