// While people write privately, the facilitator sees "N skjulte lapper fra M personer",
// live, so she can tell when they are done. The server sends counts, never contents (F6).

export class HiddenCount {
  constructor(ctx, session, el) {
    this.ctx = ctx;
    this.session = session;
    this.el = el;
    this.count = null;
    ctx.conn.addEventListener("private_count", (e) => {
      this.count = { notes: e.detail.notes, people: e.detail.people };
      this.render();
    });
    session.addEventListener("change", () => this.render());
    document.addEventListener("langchange", () => this.render());
  }

  render() {
    const on = !!this.session.state.private;
    if (!on) this.count = null;
    this.el.hidden = !on || !this.count;
    if (this.el.hidden) return;
    const { notes, people } = this.count;
    const key = notes === 0 ? "hidden.none" : people === 1 ? (notes === 1 ? "hidden.one_one" : "hidden.many_one") : "hidden.many_many";
    this.el.textContent = this.ctx.t(key, { n: notes, m: people });
  }
}
