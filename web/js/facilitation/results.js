// Vote results after the facilitator closes the vote: a ranked list of the notes with
// their totals; each entry shows its note on the board.

import { h } from "../util.js";

export class Results {
  constructor(ctx, session, root) {
    this.ctx = ctx;
    this.session = session;
    this.root = root;
    this.list = root.querySelector("#results-list");
    this.empty = root.querySelector("#results-empty");
    this.dismissed = false;
    root.querySelector("#results-close").addEventListener("click", () => {
      this.dismissed = true;
      this.render();
      ctx.canvas.focus();
    });
    session.addEventListener("change", (e) => {
      const b = e.detail.before.voting;
      const a = e.detail.after.voting;
      if (a && !a.open && (!b || b.open)) this.dismissed = false;
      this.render();
    });
  }

  /** [{id, votes, rank, text}] of visible notes, most votes first (server order). */
  ranked() {
    const v = this.session.state.voting;
    if (!v || v.open || !v.results) return [];
    const out = [];
    let rank = 0;
    let last = null;
    v.results.forEach((r, i) => {
      const obj = this.ctx.store.get(r.id);
      if (!obj) return;
      if (r.votes !== last) rank = i + 1;
      last = r.votes;
      out.push({ id: r.id, votes: r.votes, rank, text: (obj.text || "").trim() });
    });
    return out;
  }

  render() {
    const { ctx } = this;
    const v = this.session.state.voting;
    const show = !!(v && !v.open && v.results) && !this.dismissed;
    this.root.hidden = !show;
    if (!show) return;
    const items = this.ranked();
    this.empty.hidden = items.length > 0;
    this.list.replaceChildren(
      ...items.map((r) => {
        const text = r.text || ctx.t("results.no_text");
        const votes = ctx.t(r.votes === 1 ? "results.vote" : "results.votes", { n: r.votes });
        const show = h("button", { type: "button", class: "result-item" },
          h("span", { class: "result-rank", text: `${r.rank}.` }),
          h("span", { class: "result-text", text }),
          h("span", { class: "result-votes", text: votes }));
        show.addEventListener("click", () => ctx.showObject(r.id));
        return h("li", { class: "result" }, show);
      }),
    );
  }
}
