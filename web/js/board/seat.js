// What the server says about this page's seat and the people around it: `welcome` (who
// I am, the title, the people here), others' joins, leaves, presence and summons,
// their changes announced, a new link (M6), and the final closes (deleted, replaced,
// removed) with "use the board here" after a replace.

import { t } from "../i18n.js";
import { rememberBoard } from "../myboards.js";
import { $, showFatal } from "./page.js";

export class Seat {
  constructor({ ctx, presence, workshop, facilitator, exportMenu, access, outline, view, status }) {
    const { conn, boardId, images } = ctx;
    /** The first `welcome` has come (the board is loaded and shown once, readable first). */
    this.welcomed = false;
    conn.addEventListener("welcome", (e) => {
      const msg = e.detail;
      ctx.you = msg.you;
      document.body.classList.add("is-ready");
      if (facilitator.setup(msg.you.role === "facilitator")) presence.refresh();
      exportMenu.setRole(msg.you.role);
      access.apply();
      const title = (msg.board && msg.board.title) || "";
      $("#board-title").textContent = title || t("board.untitled");
      document.title = `${title || t("board.untitled")} – Samskap`;
      presence.reset(msg.peers);
      rememberBoard({ id: boardId, title, role: msg.you.role, link: location.href });
      if (!this.welcomed) {
        this.welcomed = true;
        $("#loading").hidden = true;
        // The frame that matters, at a zoom where its notes can be read (view.openView).
        view.openView(ctx.session);
      }
      outline.render();
      status.show();
    });
    conn.addEventListener("remote", (e) => {
      const { msg } = e.detail;
      const p = presence.peers.get(msg.by);
      const who = p ? p.name : t("people.someone");
      const creates = (msg.ops || []).filter((o) => o.op === "create").length;
      const deletes = (msg.ops || []).filter((o) => o.op === "delete").length;
      if (creates) ctx.announce(t("announce.remote_created", { name: who, n: creates }));
      else if (deletes) ctx.announce(t("announce.remote_deleted", { name: who, n: deletes }));
    });
    conn.addEventListener("presence", (e) => {
      presence.update(e.detail);
      workshop.follow.presence(e.detail);
    });
    conn.addEventListener("summon", (e) => workshop.follow.summon(e.detail));
    conn.addEventListener("peer_joined", (e) => presence.joined(e.detail.peer));
    conn.addEventListener("peer_left", (e) => presence.left(e.detail.client, e.detail.conn));
    conn.addEventListener("link", (e) => {
      ctx.token = e.detail.token; // uploads, exports and images use the new link (M6)
      images.token = e.detail.token;
    });
    conn.addEventListener("fatal", (e) => {
      const code = e.detail.code;
      const key = { deleted: "error.deleted", replaced: "error.replaced", removed: "error.removed" }[code];
      showFatal(key || "error.unauthorized");
      $("#reclaim").hidden = code !== "replaced";
    });
    $("#reclaim").addEventListener("click", () => {
      $("#fatal").hidden = true;
      $("#reclaim").hidden = true;
      document.body.classList.remove("is-fatal");
      conn.reclaim();
    });
  }
}
