// What the connection says, in words: saved / saving / offline in the top bar, and
// refusals (a vote, a command, a batch refused for good) as a toast.

import { errorText, t } from "../i18n.js";
import { $ } from "./page.js";

export class ConnectionStatus {
  constructor({ ctx, session }) {
    const { conn, store } = ctx;
    this.conn = conn;
    this.store = store;
    this.el = $("#status");
    this.show = this.show.bind(this);
    conn.addEventListener("state", this.show);
    store.addEventListener("change", this.show);
    // Refusals say in words what happened: a vote or a command (matched by its `req`),
    // a batch refused for good (the view fell back), or a message about nothing in particular.
    const explain = (detail) => {
      const code = detail.code;
      if (code === "forbidden" && session.role === "participant" && (session.state.locked || !session.state.permissions.add || !session.state.permissions.move)) {
        ctx.toast(t("error.forbidden_session"));
        return;
      }
      ctx.toast(errorText(detail));
    };
    session.addEventListener("refused", (e) => {
      if (e.detail.type === "error" && session.state.voting && session.state.voting.open && !e.detail.action) {
        ctx.toast(t("vote.refused"));
        return;
      }
      explain(e.detail);
    });
    conn.addEventListener("refused", (e) => ctx.toast(t("error.not_saved", { why: errorText(e.detail) })));
    conn.addEventListener("error", (e) => explain(e.detail));
  }

  show() {
    const { conn, store } = this;
    let key = "status.saved";
    if (conn.state === "offline") key = "status.offline";
    else if (conn.state === "connecting") key = store.loaded ? "status.offline" : "status.connecting";
    else if (store.pending.length) key = "status.saving";
    this.el.dataset.state = key.split(".")[1];
    this.el.querySelector(".status-text").textContent = t(key);
  }
}
