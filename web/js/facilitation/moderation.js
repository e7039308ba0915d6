// Moderation and history for the facilitator: "undo what X did" and "remove" (rules
// M1-M6, from the people list and the activity list), versions with previews, save and
// restore (V1-V6), and the activity list (A1). Every step that changes the board asks
// first in a dialog that says what will happen; results are announced in the live region.
// "Undo" asks how far back: the last 10 minutes, since the person last joined, or the
// whole session (`revert`'s `since`, rule M2).

import { errorText } from "../i18n.js";
import { h } from "../util.js";

const $ = (sel) => document.querySelector(sel);

export class Moderation {
  constructor(ctx, session) {
    this.ctx = ctx;
    this.session = session;
    this.dialog = $("#mod-dialog");
    this.names = new Map(); // client -> name, from the activity list
    $("#hist-save").addEventListener("click", () => this.save());
    $("#hist-refresh").addEventListener("click", () => this.loadVersions());
    $("#act-refresh").addEventListener("click", () => this.loadActivity());
    $("#mod-link-copy").addEventListener("click", () => this.copyLink());
    this.previews = [];
  }

  api(path, options = {}) {
    const headers = { Authorization: `Bearer ${this.ctx.token}`, "Content-Type": "application/json" };
    return fetch(`/api/boards/${encodeURIComponent(this.ctx.boardId)}${path}`, { ...options, headers });
  }

  /** Ask in the dialog; resolves {ok, rotate, since}. */
  ask(title, text, { confirm, rotate = null, since = false }) {
    const d = this.dialog;
    $("#mod-title").textContent = title;
    $("#mod-text").textContent = text;
    $("#mod-confirm").textContent = confirm;
    $("#mod-rotate-row").hidden = rotate === null;
    $("#mod-rotate").checked = rotate === true;
    $("#mod-since-row").hidden = !since;
    $("#mod-since").value = "all";
    return new Promise((resolve) => {
      const done = (ok) => {
        d.removeEventListener("close", onClose);
        $("#mod-confirm").onclick = null;
        $("#mod-cancel").onclick = null;
        if (d.open) d.close();
        resolve({ ok, rotate: $("#mod-rotate").checked, since: $("#mod-since").value });
      };
      const onClose = () => done(false);
      d.addEventListener("close", onClose);
      $("#mod-confirm").onclick = () => done(true);
      $("#mod-cancel").onclick = () => done(false);
      d.showModal();
      $("#mod-cancel").focus();
    });
  }

  /** The two buttons a person gets in the people and activity lists. */
  buttons(person) {
    const { ctx } = this;
    const name = person.name || ctx.t("people.anonymous");
    const undo = h("button", { type: "button", class: "btn btn-small", text: ctx.t("mod.undo") });
    undo.setAttribute("aria-label", ctx.t("mod.undo_named", { name }));
    undo.addEventListener("click", () => this.undo(person.client, name));
    const remove = h("button", { type: "button", class: "btn btn-small btn-danger", text: ctx.t("mod.remove") });
    remove.setAttribute("aria-label", ctx.t("mod.remove_named", { name }));
    remove.addEventListener("click", () => this.remove(person.client, name));
    return h("span", { class: "mod-buttons" }, undo, remove);
  }

  async undo(client, name) {
    const { ctx } = this;
    const { ok, since } = await this.ask(ctx.t("mod.undo_named", { name }), ctx.t("mod.undo_confirm", { name }), { confirm: ctx.t("mod.undo"), since: true });
    if (!ok) return;
    const body = { client };
    const from = await this.since(since, client);
    if (from !== null) body.since = from;
    const reply = await this.session.facilitate("revert", body);
    if (reply.type !== "reverted") return this.failed(reply);
    this.status(ctx.t("mod.undone", { name, restored: reply.restored, removed: reply.removed, reset: reply.reset }));
  }

  /** `since` for a choice in the dialog: an ISO time in the server's clock, or null
   * for the whole session (also when the person's last join is no longer known). */
  async since(choice, client) {
    if (choice === "10m") return new Date(Date.now() + (this.session.offset || 0) - 600_000).toISOString();
    if (choice !== "joined") return null;
    const res = await this.api("/activity");
    if (!res.ok) return null;
    const { events } = await res.json();
    const joins = events.filter((e) => e.kind === "join" && e.client === client);
    return joins.length ? new Date(joins[joins.length - 1].at).toISOString() : null;
  }

  async remove(client, name) {
    const { ctx } = this;
    const { ok, rotate } = await this.ask(ctx.t("mod.remove_named", { name }), ctx.t("mod.remove_confirm", { name }), { confirm: ctx.t("mod.remove"), rotate: true });
    if (!ok) return;
    const reply = await this.session.facilitate("remove", { client, rotate });
    if (reply.type !== "removed") return this.failed(reply);
    if (reply.link) {
      $("#mod-link").value = reply.link.link;
      $("#mod-link-row").hidden = false;
    }
    this.status(ctx.t(reply.link ? "mod.removed_rotated" : "mod.removed", { name }));
  }

  async copyLink() {
    const link = $("#mod-link").value;
    try {
      await navigator.clipboard.writeText(link);
      this.status(this.ctx.t("start.links.copied"));
    } catch {
      $("#mod-link").select();
    }
  }

  /** Say why a step did not happen, in the page's language where the code has words. */
  failed(reply) {
    this.status(this.ctx.t("mod.failed", { message: errorText(reply) }));
  }

  status(text) {
    $("#mod-status").textContent = text;
    this.ctx.announce(text);
  }

  // --- versions ---------------------------------------------------------------------

  async save() {
    const { ctx } = this;
    const label = $("#hist-label").value.trim().slice(0, 120);
    const res = await this.api("/versions", { method: "POST", body: JSON.stringify({ label, name: ctx.you?.name || "" }) });
    if (!res.ok) return this.status(ctx.t("hist.failed"));
    $("#hist-label").value = "";
    this.status(ctx.t("hist.saved"));
    await this.loadVersions();
  }

  async loadVersions() {
    const { ctx } = this;
    const res = await this.api("/versions");
    if (!res.ok) return this.status(ctx.t("hist.failed"));
    const { versions } = await res.json();
    for (const url of this.previews) URL.revokeObjectURL(url);
    this.previews = [];
    const list = $("#hist-list");
    list.replaceChildren(...versions.slice(0, 30).map((v) => this.version(v)));
    $("#hist-empty").hidden = versions.length > 0;
  }

  when(at) {
    return new Date(at).toLocaleString(document.documentElement.lang || undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });
  }

  version(v) {
    const { ctx } = this;
    const title = v.label || ctx.t(`hist.kind.${v.kind}`);
    const img = h("img", { class: "hist-preview", alt: ctx.t("hist.preview", { title }), width: "96", height: "64" });
    this.api(`/versions/${encodeURIComponent(v.id)}/preview.png`)
      .then((res) => (res.ok ? res.blob() : null))
      .then((blob) => {
        if (!blob) return;
        const url = URL.createObjectURL(blob);
        this.previews.push(url);
        img.src = url;
      })
      .catch(() => {});
    const restore = h("button", { type: "button", class: "btn btn-small", text: ctx.t("hist.restore") });
    restore.setAttribute("aria-label", ctx.t("hist.restore_named", { title, when: this.when(v.at) }));
    restore.addEventListener("click", () => this.restore(v, title));
    const meta = h("span", { class: "hist-meta" }, h("strong", { text: title }), h("span", { text: `${this.when(v.at)} · ${ctx.t("hist.objects", { n: v.objects })}` }));
    return h("li", { class: "hist-item" }, img, meta, restore);
  }

  async restore(v, title) {
    const { ctx } = this;
    const now = ctx.store.view ? ctx.store.view.size : 0;
    const text = ctx.t("hist.restore_confirm", { title, when: this.when(v.at), n: v.objects, now });
    const { ok } = await this.ask(ctx.t("hist.restore_named", { title, when: this.when(v.at) }), text, { confirm: ctx.t("hist.restore") });
    if (!ok) return;
    const res = await this.api(`/versions/${encodeURIComponent(v.id)}/restore`, { method: "POST", body: JSON.stringify({ name: ctx.you?.name || "" }) });
    if (!res.ok) return this.status(ctx.t("hist.failed"));
    const r = await res.json();
    this.status(ctx.t("hist.restored", { title, restored: r.restored, deleted: r.deleted, changed: r.changed }));
    await this.loadVersions();
  }

  // --- activity -----------------------------------------------------------------------

  async loadActivity() {
    const { ctx } = this;
    const res = await this.api("/activity");
    if (!res.ok) return this.status(ctx.t("act.failed"));
    const { events, edits } = await res.json();
    const people = new Map();
    // A join made in anonymous mode has no name (rule M7): the seat number stands in.
    const label = (e) => e.name || people.get(e.client)?.name || (e.seat ? ctx.t("people.number", { n: e.seat }) : "");
    for (const e of events) if (e.kind === "join" && e.client) people.set(e.client, { client: e.client, name: label(e), role: e.role, created: 0, changed: 0, deleted: 0 });
    for (const e of edits) {
      const p = people.get(e.client);
      if (!p) continue;
      p.created += e.created;
      p.changed += e.changed;
      p.deleted += e.deleted;
    }
    const me = ctx.you?.client;
    const rows = [...people.values()]
      .sort((a, b) => b.deleted + b.created + b.changed - (a.deleted + a.created + a.changed))
      .map((p) => {
        const name = p.name || ctx.t("people.anonymous");
        const counts = ctx.t("act.counts", { created: p.created, changed: p.changed, deleted: p.deleted });
        const row = h("li", { class: "act-person" }, h("strong", { text: name }), h("span", { class: "act-counts", text: counts }));
        if (p.client !== me && p.role !== "facilitator") row.append(this.buttons(p));
        return row;
      });
    $("#act-list").replaceChildren(...rows);
    const recent = events.filter((e) => e.kind !== "join" && e.kind !== "leave").slice(-8).reverse();
    $("#act-events").replaceChildren(...recent.map((e) => h("li", { text: `${this.when(e.at)} · ${ctx.t(`act.kind.${e.kind}`)}${e.action ? `: ${e.action}` : ""}${e.name ? ` (${e.name})` : ""}` })));
    $("#act-empty").hidden = rows.length > 0;
  }
}
