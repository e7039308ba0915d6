// The template picker: the workshop templates from `/api/templates` with their
// preview pictures; the chosen one is inserted as a new frame beside the board
// (`insert_template`), and the server brings everyone to it.

import { currentLang } from "../i18n.js";
import { h } from "../util.js";

export class TemplatePicker {
  constructor(ctx, session, dialog) {
    this.ctx = ctx;
    this.session = session;
    this.dialog = dialog;
    this.list = dialog.querySelector("#template-list");
    this.status = dialog.querySelector("#template-status");
    this.loadedLang = null;
    this.templates = [];
    dialog.querySelector("#template-cancel").addEventListener("click", () => dialog.close());
    dialog.querySelector("#template-insert").addEventListener("click", () => this.insert());
    this.list.addEventListener("keydown", (e) => this.keys(e));
  }

  async open() {
    this.dialog.showModal();
    if (this.loadedLang !== currentLang()) await this.load();
    const checked = this.list.querySelector("[aria-checked=true]") || this.list.querySelector("[role=radio]");
    checked?.focus();
  }

  async load() {
    const { ctx } = this;
    this.status.textContent = ctx.t("templates.loading");
    try {
      const res = await fetch(`/api/templates?locale=${encodeURIComponent(currentLang())}`);
      if (!res.ok) throw new Error(String(res.status));
      // By name in the page's language (the server lists them by id).
      // Chromium has no nynorsk collation (it would sort Å with A): nynorsk sorts as bokmål.
      const collator = new Intl.Collator([currentLang(), "nb"]);
      this.templates = ((await res.json()).templates || []).sort((a, b) => collator.compare(a.name, b.name));
      this.loadedLang = currentLang();
      this.status.textContent = "";
    } catch {
      this.status.textContent = ctx.t("templates.error");
      return;
    }
    this.list.replaceChildren(...this.templates.map((tpl, i) => this.card(tpl, i === 0)));
  }

  card(tpl, checked) {
    const { ctx } = this;
    const id = `tpl-${tpl.id}`;
    const img = h("img", { class: "template-preview", src: tpl.preview, alt: "", loading: "lazy", width: 240, height: 150 });
    const meta = [ctx.t(`templates.category.${tpl.category}`) === `templates.category.${tpl.category}` ? tpl.category : ctx.t(`templates.category.${tpl.category}`)];
    if (tpl.minutes) meta.push(ctx.t("step.minutes", { n: tpl.minutes }));
    if (tpl.steps) meta.push(ctx.t("templates.steps", { n: tpl.steps }));
    const card = h(
      "div",
      { class: "template-card", role: "radio", "aria-checked": String(checked), tabindex: checked ? "0" : "-1", "aria-labelledby": `${id}-name`, "aria-describedby": `${id}-desc` },
      img,
      h("span", { class: "template-name", id: `${id}-name`, text: tpl.name }),
      h("span", { class: "template-meta", text: meta.join(" · ") }),
      h("span", { class: "template-desc", id: `${id}-desc`, text: tpl.description || "" }),
    );
    card.dataset.id = tpl.id;
    card.addEventListener("click", () => this.choose(card));
    card.addEventListener("dblclick", () => this.insert());
    return card;
  }

  choose(card) {
    for (const c of this.list.children) {
      c.setAttribute("aria-checked", String(c === card));
      c.tabIndex = c === card ? 0 : -1;
    }
    card.focus();
  }

  keys(e) {
    const cards = [...this.list.children];
    const i = cards.indexOf(document.activeElement);
    if (i < 0) return;
    const cols = Math.max(1, Math.round(this.list.clientWidth / (cards[0].offsetWidth || 1)));
    const move = { ArrowRight: 1, ArrowDown: cols, ArrowLeft: -1, ArrowUp: -cols }[e.key];
    if (move) {
      e.preventDefault();
      const next = cards[Math.min(cards.length - 1, Math.max(0, i + move))];
      this.choose(next);
    } else if (e.key === " " ) {
      e.preventDefault();
      this.choose(cards[i]);
    } else if (e.key === "Enter") {
      e.preventDefault();
      this.choose(cards[i]);
      this.insert();
    }
  }

  /** Insert the chosen template; "inserted" is said once the server has done it (a
   * refusal, or no connection, is said by the page's refusal toast instead). */
  async insert() {
    const card = this.list.querySelector("[aria-checked=true]");
    if (!card) return;
    const name = card.querySelector(".template-name").textContent;
    this.dialog.close();
    const reply = await this.session.facilitate("insert_template", { template: card.dataset.id, locale: currentLang() });
    if (reply.type === "error") return;
    this.ctx.toast(this.ctx.t("templates.inserted", { name }));
    this.ctx.announce(this.ctx.t("templates.inserted", { name }));
  }
}
