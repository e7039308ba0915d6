// Breakout copies: N copies of the board (or of the frame in view) for groups, each
// with its own participant link, listed with copy buttons (facilitator only).

import { h } from "../util.js";

const $ = (sel) => document.querySelector(sel);

export class Breakouts {
  constructor(ctx, frameInView) {
    this.ctx = ctx;
    this.frameInView = frameInView;
    this.loaded = false;
    this.status = $("#fac-breakout-status");
    this.list = $("#fac-breakout-list");
    $("#fac-breakout-make").addEventListener("click", () => this.make());
  }

  headers() {
    return { Authorization: `Bearer ${this.ctx.token}`, "Content-Type": "application/json" };
  }

  async load() {
    if (this.loaded) return;
    try {
      const res = await fetch(`/api/boards/${encodeURIComponent(this.ctx.boardId)}/breakouts`, { headers: this.headers() });
      if (!res.ok) return;
      this.loaded = true;
      this.render((await res.json()).breakouts || []);
    } catch {
      /* offline: the list comes when the panel opens again */
    }
  }

  async make() {
    const { ctx } = this;
    const count = Math.round(Number($("#fac-groups").value));
    if (!Number.isFinite(count) || count < 1 || count > 20) {
      this.status.textContent = ctx.t("fac.groups_invalid");
      $("#fac-groups").focus();
      return;
    }
    const body = { count };
    if (document.querySelector("input[name=breakout-scope]:checked")?.value === "frame") {
      const frame = this.frameInView();
      if (!frame) {
        this.status.textContent = ctx.t("fac.breakout_no_frame");
        return;
      }
      body.frame = frame.id;
    }
    const button = $("#fac-breakout-make");
    button.disabled = true;
    this.status.textContent = ctx.t("fac.breakout_making");
    try {
      const res = await fetch(`/api/boards/${encodeURIComponent(ctx.boardId)}/breakouts`, { method: "POST", headers: this.headers(), body: JSON.stringify(body) });
      if (!res.ok) throw new Error(String(res.status));
      await res.json();
      this.loaded = false;
      await this.load();
      this.status.textContent = ctx.t("fac.breakout_made", { n: count });
    } catch {
      this.status.textContent = ctx.t("fac.breakout_error");
    } finally {
      button.disabled = false;
    }
  }

  render(items) {
    const { ctx } = this;
    this.list.replaceChildren(
      ...items.map((b) => {
        const copy = h("button", { type: "button", class: "btn-small", text: ctx.t("fac.copy_link") });
        copy.setAttribute("aria-label", `${ctx.t("fac.copy_link")}: ${b.title}`);
        copy.addEventListener("click", async () => {
          try {
            await navigator.clipboard.writeText(b.links.participant);
            ctx.announce(ctx.t("start.links.copied"));
            copy.textContent = ctx.t("start.links.copied");
            setTimeout(() => (copy.textContent = ctx.t("fac.copy_link")), 2000);
          } catch {
            ctx.toast(b.links.participant);
          }
        });
        const open = h("a", { class: "btn-small", href: b.links.facilitator, target: "_blank", rel: "noopener", text: ctx.t("fac.open_copy") });
        open.setAttribute("aria-label", `${ctx.t("fac.open_copy")}: ${b.title}`);
        return h("li", { class: "fac-breakout" }, h("span", { class: "fac-breakout-title", text: b.title }), copy, open);
      }),
    );
  }
}
