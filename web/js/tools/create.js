// Tools that place a box: note, text, rectangle, ellipse, diamond, frame.
// Click to place at the default size, or drag to draw the box.

import { SCHEMAS } from "../schema.js";

export const BOX_TOOLS = {
  note: { kind: "note" },
  text: { kind: "text" },
  rectangle: { kind: "shape", shape: "rectangle" },
  ellipse: { kind: "shape", shape: "ellipse" },
  diamond: { kind: "shape", shape: "diamond" },
  frame: { kind: "frame" },
};

export class CreateTool {
  constructor(ctx, name) {
    this.ctx = ctx;
    this.name = name;
    this.cursor = "crosshair";
    this.spec = BOX_TOOLS[name];
    this.start = null;
  }

  down(e, p) {
    this.start = p;
  }

  move(e, p) {
    if (!this.start) return;
    const s = this.start;
    this.ctx.ui.draft = { kind: "box", x: Math.min(s.x, p.x), y: Math.min(s.y, p.y), w: Math.abs(p.x - s.x), h: Math.abs(p.y - s.y) };
    this.ctx.renderer.request();
  }

  up(e, p) {
    if (!this.start) return;
    const s = this.start;
    this.start = null;
    this.ctx.ui.draft = null;
    const dragged = Math.abs(p.x - s.x) * this.ctx.camera.zoom > 8 && Math.abs(p.y - s.y) * this.ctx.camera.zoom > 8;
    const box = dragged
      ? { x: Math.min(s.x, p.x), y: Math.min(s.y, p.y), w: Math.abs(p.x - s.x), h: Math.abs(p.y - s.y) }
      : null;
    this.place(box, p);
  }

  /** Create at `box`, or centred on `at` with the default size. */
  place(box, at) {
    const { ctx, spec } = this;
    const defaults = SCHEMAS[spec.kind];
    const w = box ? box.w : defaults.w;
    const h = box ? box.h : defaults.h;
    const x = box ? box.x : at.x - w / 2;
    const y = box ? box.y : at.y - h / 2;
    const obj = { ...spec, x: Math.round(x), y: Math.round(y), w: Math.round(w), h: Math.round(h) };
    if (spec.kind === "note") obj.color = ctx.ui.noteColor;
    if (spec.kind === "frame") obj.title = ctx.t("frame.default_title");
    const created = ctx.actions.create(obj);
    ctx.ui.fresh = created.id; // just drawn: typing writes in it (board/keyboard.js)
    ctx.announce(ctx.t("announce.created", { what: ctx.t(`kind.${spec.kind}`) }));
    ctx.setTool("select");
    if (spec.kind === "note" || spec.kind === "text") ctx.editor.start(created.id);
    return created;
  }

  cancel() {
    this.start = null;
    this.ctx.ui.draft = null;
  }
}
