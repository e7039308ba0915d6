// Vote results after the facilitator closes the vote: a side panel beside the board
// (never over the notes voted on) with a ranked list of the notes and their totals. Each
// entry shows its note on the board and says the note's text as it is now (a rename
// shows at once). The panel closes when the next agenda step starts, or on "Hide".

import { bounds, unionBounds } from "../geometry.js";
import { h } from "../util.js";

export class Results {
  constructor(ctx, session, root) {
    this.ctx = ctx;
    this.session = session;
    this.root = root;
    this.list = root.querySelector("#results-list");
    this.empty = root.querySelector("#results-empty");
    this.dismissed = false;
    /** The agenda step during which the vote closed: the panel lives until the next one. */
    this.step = null;
    this.shownKey = "";
    root.querySelector("#results-close").addEventListener("click", () => {
      this.dismissed = true;
      this.render();
      ctx.canvas.focus();
    });
    session.addEventListener("change", (e) => {
      const b = e.detail.before.voting;
      const a = e.detail.after.voting;
      if (a && !a.open && (!b || b.open)) {
        // Closed now, or closed earlier when this page opens: `closed_in` says in which
        // step, so a page opened after the next step started keeps the panel shut.
        this.step = a.closed_in !== undefined ? a.closed_in : e.detail.after.step;
        this.dismissed = this.step !== e.detail.after.step;
      } else if (e.detail.after.step !== this.step) this.dismissed = true;
      this.render();
    });
    // Renamed, deleted or revealed notes: the list says what the board says now.
    ctx.store.addEventListener("change", () => {
      if (!this.root.hidden) this.render();
    });
    document.addEventListener("langchange", () => this.render()); // "5 stemmer" / "5 votes"
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
    const opening = show && this.root.hidden;
    if (this.root.hidden === show) {
      this.root.hidden = !show;
      ctx.renderer.resize(); // the board is narrower (or wider again) now
    }
    if (!show) {
      this.shownKey = "";
      return;
    }
    const items = this.ranked();
    // Rebuild only when something shown changed (keeps focus on an entry while notes move).
    const key = JSON.stringify([document.documentElement.lang, items]);
    if (key !== this.shownKey) {
      this.shownKey = key;
      this.empty.hidden = items.length > 0;
      this.list.replaceChildren(...items.map((r) => this.item(r)));
    }
    if (opening) this.revealVoted(items);
  }

  item(r) {
    const { ctx } = this;
    const text = r.text || ctx.t("results.no_text");
    const votes = ctx.t(r.votes === 1 ? "results.vote" : "results.votes", { n: r.votes });
    const show = h(
      "button",
      { type: "button", class: "result-item", "data-id": r.id },
      h("span", { class: "result-rank", text: `${r.rank}.` }),
      h("span", { class: "result-text", text }),
      h("span", { class: "result-votes", text: votes }),
    );
    show.addEventListener("click", () => ctx.showObject(r.id));
    return h("li", { class: "result" }, show);
  }

  /** The panel took room from the board: keep the notes voted on in view beside it. */
  revealVoted(items) {
    const { ctx } = this;
    const b = unionBounds(items.map((r) => ctx.store.get(r.id)).filter(Boolean).map((o) => bounds(o, ctx.lookup)));
    if (b) ctx.view.reveal(b);
  }
}
