// The actions menu: what the selection toolbar offers (edit, connect, duplicate, lock,
// front/back, delete), as a menu at the pointer or beside the selection. Opened by a
// right-click, Shift+F10 or the ContextMenu key (board/keyboard.js), and a long press
// on touch (board/pointer.js); both send the canvas a `samskap:menu` event. Menu
// semantics: role=menu of menuitems, arrow keys, Home/End, Escape or Tab close it and
// the keyboard goes back to the board.

import { t } from "../i18n.js";
import { placeBeside } from "./placement.js";

// The selection toolbar's buttons the menu repeats, in the toolbar's order; an item is
// offered exactly when its button is (the toolbar decides what applies).
const ITEMS = ["#act-edit", "#act-connect", "#act-duplicate", "#act-lock", "#act-front", "#act-back", "#act-delete"];

export class ActionsMenu {
  /** `ctx`: the shared services; `selbar`: the selection toolbar; `stage`: the board's box. */
  constructor({ ctx, selbar, stage }) {
    Object.assign(this, { ctx, selbar, stage });
    const el = (this.el = document.createElement("div"));
    el.id = "actions-menu";
    el.className = "actions-menu";
    el.setAttribute("role", "menu");
    el.hidden = true;
    stage.append(el);
    el.addEventListener("keydown", (e) => this.key(e));
    el.addEventListener("focusout", (e) => {
      if (this.open && !el.contains(e.relatedTarget)) this.close(false);
    });
    document.addEventListener(
      "pointerdown",
      (e) => {
        if (this.open && !el.contains(e.target)) this.close(false);
      },
      true,
    );
    const { canvas } = ctx;
    // Its place belongs to the view and its items to the selection: either changing ends it.
    ctx.camera.addEventListener("change", () => this.close(false));
    ctx.selection.addEventListener("change", () => {
      if (!ctx.selection.size) this.close(false);
    });
    canvas.addEventListener("contextmenu", (e) => this.contextMenu(e));
    canvas.addEventListener("samskap:menu", (e) => this.openFor(e.detail));
  }

  get open() {
    return !this.el.hidden;
  }

  /** A right-click (or the browser's own long press): the object under it, selected. */
  contextMenu(e) {
    if (this.open) return e.preventDefault(); // already opened by the long press or the key
    const r = this.ctx.canvas.getBoundingClientRect();
    if (this.openFor({ x: e.clientX - r.left, y: e.clientY - r.top, pick: true })) e.preventDefault();
  }

  /**
   * Open at canvas point `{x, y}`; with `pick`, for the object there (selected first,
   * unless it is already part of the selection); without a point, beside the selection.
   * Returns whether it opened (nothing selected, a viewer: no menu).
   */
  openFor({ x, y, pick = false } = {}) {
    const { ctx } = this;
    const { selection, camera, ui } = ctx;
    if (ui.readOnly) return false;
    if (pick) {
      const obj = ctx.pick(camera.toWorld(x, y));
      if (!obj) return false;
      if (!selection.has(obj.id)) selection.set([obj.id]);
    }
    if (!selection.size) return false;
    this.selbar.update(); // its buttons say what applies to this selection now
    if (!this.build()) return false;
    this.el.hidden = false;
    this.el.setAttribute("aria-label", t("menu.label"));
    const size = { w: this.el.offsetWidth, h: this.el.offsetHeight };
    const area = { x: 0, y: 0, w: camera.width, h: camera.height };
    // At the pointer: beside the fingertip (a 24 px square) or the arrow; from the
    // keyboard: under the selection toolbar. Clear of the toolbar and the banners.
    const target = x !== undefined ? { x: x - 12, y: y - 12, w: 24, h: 24 } : this.anchor();
    const avoid = this.selbar.obstacles();
    const bar = this.selbar.el;
    if (!bar.hidden && bar.style.visibility !== "hidden" && x !== undefined) {
      const s = this.stage.getBoundingClientRect(), r = bar.getBoundingClientRect();
      avoid.push({ x: r.left - s.left, y: r.top - s.top, w: r.width, h: r.height });
    }
    const spot = placeBeside(target, size, area, avoid, { gap: 6 });
    this.el.style.transform = `translate(${Math.round(spot.x)}px, ${Math.round(spot.y)}px)`;
    this.items()[0].focus();
    return true;
  }

  /** Where a menu opened from the keyboard goes: under the selection toolbar. */
  anchor() {
    const s = this.stage.getBoundingClientRect();
    const bar = this.selbar.el;
    const r = bar.hidden || bar.style.visibility === "hidden" ? this.ctx.canvas.getBoundingClientRect() : bar.getBoundingClientRect();
    return { x: r.left - s.left, y: r.top - s.top, w: Math.min(r.width, 40), h: r.height };
  }

  /** The menu's items from the toolbar's shown buttons; their number. */
  build() {
    this.el.replaceChildren();
    for (const sel of ITEMS) {
      const btn = document.querySelector(sel);
      if (!btn || btn.hidden) continue;
      const item = document.createElement("button");
      item.type = "button";
      item.className = `menu-item${btn.classList.contains("btn-danger") ? " btn-danger" : ""}`;
      item.setAttribute("role", "menuitem");
      item.tabIndex = -1;
      item.dataset.action = sel.slice(5);
      const icon = [...btn.querySelectorAll("svg")].find((svg) => !svg.closest("[hidden]"));
      if (icon) item.append(icon.cloneNode(true));
      const label = document.createElement("span");
      label.textContent = btn.getAttribute("aria-label");
      item.append(label);
      const keys = btn.getAttribute("aria-keyshortcuts");
      if (keys) item.setAttribute("aria-keyshortcuts", keys);
      item.addEventListener("click", () => {
        this.close(true);
        btn.click();
      });
      this.el.append(item);
    }
    return this.el.children.length;
  }

  items() {
    return [...this.el.querySelectorAll("[role=menuitem]")];
  }

  key(e) {
    const items = this.items();
    const at = items.indexOf(document.activeElement);
    const go = (i) => items[(i + items.length) % items.length].focus();
    if (e.key === "ArrowDown") go(at + 1);
    else if (e.key === "ArrowUp") go(at - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(items.length - 1);
    else if (e.key === "Escape" || e.key === "Tab") this.close(true);
    else return;
    e.preventDefault();
    e.stopPropagation();
  }

  /** Close; with `refocus`, the keyboard goes back to the board (where it opened). */
  close(refocus) {
    if (!this.open) return;
    // The keyboard never stays on a hidden item (a pan closed it under the focus).
    if (this.el.contains(document.activeElement)) refocus = true;
    this.el.hidden = true;
    if (refocus) this.ctx.canvas.focus({ preventScroll: true });
  }
}
