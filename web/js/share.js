// Share from the board: the "Del" / "Share" dialog. The facilitator sees all three links
// with what each is for; a participant or viewer sees their own. Each link can be copied
// and shown as a large QR code for the projector, beside a ready message for the chat.

import { listBoards, rememberBoard } from "./myboards.js";
import { qrSvg } from "./qr.js";
import { h } from "./util.js";

const ORDER = ["participant", "viewer", "facilitator"];
const QR = { participant: "share.qr_participant", viewer: "share.qr_viewer", facilitator: "share.qr_facilitator" };
const INTRO = { facilitator: "share.intro_facilitator", participant: "share.intro_participant", viewer: "share.intro_viewer" };

/** The link this page was opened with (after a rotation, the token it was handed: M6). */
export function ownLink(boardId, token) {
  return `${location.origin}/b/${encodeURIComponent(boardId)}#t=${token}`;
}

export class ShareDialog {
  /** `popovers` keeps it one-at-a-time; `title()` is the board's shown title. */
  constructor(ctx, popovers, { button, dialog, title }) {
    this.ctx = ctx;
    this.t = ctx.t;
    this.dialog = dialog;
    this.button = button;
    this.title = title;
    this.popovers = popovers;
    this.shown = null; // the role whose QR code is drawn
    popovers.addDialog(dialog);
    button.addEventListener("click", () => this.open());
    dialog.querySelector("#share-close").addEventListener("click", () => dialog.close());
    dialog.querySelector("#share-message-copy").addEventListener("click", (e) => this.copy(dialog.querySelector("#share-message").value, e.currentTarget, "start.share.copy"));
    dialog.querySelector("#share-message").addEventListener("focus", (e) => e.target.select());
    document.addEventListener("langchange", () => dialog.open && this.render());
  }

  get role() {
    return this.ctx.you ? this.ctx.you.role : "viewer";
  }

  /** {role: url} this person may share: their own link, and for the facilitator the ones this browser keeps. */
  links() {
    const { boardId, token } = this.ctx;
    const mine = ownLink(boardId, token);
    if (this.role !== "facilitator") return { [this.role]: mine };
    const kept = listBoards().find((b) => b.id === boardId)?.links || {};
    return { participant: kept.participant || null, viewer: kept.viewer || null, facilitator: mine };
  }

  open() {
    this.shown = this.role === "facilitator" ? "participant" : this.role;
    this.render();
    this.popovers.showDialog(this.dialog, this.button);
    this.dialog.querySelector(".share-links button, #share-close")?.focus();
  }

  render() {
    const { t, dialog } = this;
    const links = this.links();
    if (!links[this.shown]) this.shown = ORDER.find((r) => links[r]) || this.role;
    dialog.querySelector("#share-intro").textContent = t(INTRO[this.role] || INTRO.viewer);
    dialog.querySelector("#share-links").replaceChildren(...ORDER.filter((r) => r in links).map((r) => this.row(r, links[r])));
    const link = links[this.shown];
    const qr = dialog.querySelector("#share-qr");
    const caption = dialog.querySelector("#share-qr-caption");
    qr.replaceChildren();
    caption.textContent = "";
    if (link) {
      const label = t(QR[this.shown] || QR.viewer);
      qr.append(qrSvg(link, label));
      qr.dataset.link = link;
      caption.textContent = label;
    }
    const participant = links.participant || (this.role !== "facilitator" ? links[this.role] : null);
    const row = dialog.querySelector(".share-row");
    row.hidden = !participant;
    dialog.querySelector("#share-message").value = participant ? t("start.share.text", { title: this.title(), link: participant }) : "";
  }

  row(role, url) {
    const { t } = this;
    const id = `share-link-${role}`;
    if (!url) return this.missing(role);
    const input = h("input", { id, type: "text", readonly: true, class: "link-field", value: url });
    input.addEventListener("focus", () => input.select());
    const copy = h("button", { type: "button", class: "btn btn-small", text: t("start.links.copy"), "aria-label": `${t("start.links.copy")}: ${t(`start.links.${role}`)}` });
    copy.addEventListener("click", () => this.copy(url, copy, "start.links.copy"));
    const show = h("button", { type: "button", class: "btn btn-small", text: t("share.show_qr"), "aria-pressed": String(role === this.shown), "aria-label": `${t("share.show_qr")}: ${t(`start.links.${role}`)}` });
    show.addEventListener("click", () => {
      this.shown = role;
      this.render();
      this.dialog.querySelector(`#share-link-${role}`)?.closest(".link-row")?.querySelector("[aria-pressed]")?.focus();
    });
    return h(
      "div",
      { class: `link-row role-${role}` },
      h("label", { for: id, class: "link-label", text: t(`start.links.${role}`) }),
      h("p", { class: "link-help", text: t(`start.links.${role}_help`) }),
      h("div", { class: "link-line" }, input, copy, show),
    );
  }

  /** A link this browser does not keep (the board was made elsewhere): say where it is, or make a new one. */
  missing(role) {
    const { t } = this;
    const make = h("button", { type: "button", class: "btn btn-small", text: t("share.new_link") });
    make.addEventListener("click", () => this.renew(role, make));
    return h(
      "div",
      { class: `link-row role-${role} is-missing` },
      h("p", { class: "link-label", text: t(`start.links.${role}`) }),
      h("p", { class: "link-help", text: t("share.missing", { role: t(`start.links.${role}`) }) }),
      make,
    );
  }

  /** A new link for `role`; people already on the board keep their places (rule M6). */
  async renew(role, button) {
    button.disabled = true;
    const { boardId, token } = this.ctx;
    try {
      const res = await fetch(`/api/boards/${encodeURIComponent(boardId)}/links/${role}/rotate`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify({ keep_seats: true }),
      });
      if (!res.ok) throw new Error(String(res.status));
      const { link } = await res.json();
      rememberBoard({ id: boardId, role, link });
      rememberBoard({ id: boardId, role: "facilitator", link: ownLink(boardId, token) });
      this.shown = role;
      this.render();
      this.say(this.t("share.made", { role: this.t(`start.links.${role}`) }));
    } catch {
      button.disabled = false;
      this.say(this.t("share.failed"));
    }
  }

  async copy(text, button, key) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const field = button.closest(".link-row")?.querySelector("input, textarea");
      field?.select();
      document.execCommand("copy");
    }
    button.textContent = this.t("start.links.copied");
    this.say(this.t("start.links.copied"));
    setTimeout(() => (button.textContent = this.t(key)), 2000);
  }

  say(text) {
    const live = this.dialog.querySelector("#share-live");
    live.textContent = "";
    setTimeout(() => (live.textContent = text), 50);
  }
}
