// Connector tool: drag from an object (or empty space) to another object (or a point).
// Ends attached to objects follow them when they move.

export class ConnectorTool {
  constructor(ctx) {
    this.ctx = ctx;
    this.name = "connector";
    this.cursor = "crosshair";
    this.start = null;
  }

  _target(p, except) {
    const obj = this.ctx.pick(p, { includeFrameInside: false });
    return obj && obj.kind !== "connector" && obj.id !== except ? obj : null;
  }

  down(e, p) {
    const from = this._target(p);
    this.start = { p, from: from ? from.id : null };
  }

  move(e, p) {
    const { ctx } = this;
    if (!this.start) return;
    const over = this._target(p, this.start.from);
    ctx.ui.hoverTarget = over ? over.id : null;
    ctx.ui.draft = { kind: "connector", a: this.start.p, b: p };
    ctx.renderer.request();
  }

  up(e, p) {
    const { ctx } = this;
    if (!this.start) return;
    const s = this.start;
    this.start = null;
    ctx.ui.draft = null;
    ctx.ui.hoverTarget = null;
    const over = this._target(p, s.from);
    const far = Math.hypot(p.x - s.p.x, p.y - s.p.y) * ctx.camera.zoom > 10;
    if (!far && !over) return ctx.renderer.request();
    const obj = ctx.actions.create({
      kind: "connector",
      x: 0,
      y: 0,
      from: s.from ? { id: s.from } : { x: s.p.x, y: s.p.y },
      to: over ? { id: over.id } : { x: p.x, y: p.y },
    });
    ctx.announce(ctx.t("announce.created", { what: ctx.t("kind.connector") }));
    void obj;
  }

  cancel() {
    this.start = null;
    this.ctx.ui.draft = null;
    this.ctx.ui.hoverTarget = null;
  }
}
