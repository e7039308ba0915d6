// The page around the board: the link token in the address, the name dialog, the fatal
// box, and the two ways the page speaks (the live region and the toast).

import { t } from "../i18n.js";

export const $ = (sel) => document.querySelector(sel);

/** The link token from the address fragment (`#t=…`); it never reaches the server in a URL. */
export function tokenFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return params.get("t") || "";
}

/** Ask for the name shown to others (modal, cannot be dismissed without one). */
export function askName() {
  return new Promise((resolve) => {
    const dialog = $("#name-dialog");
    const input = $("#name-input");
    input.value = localStorage.getItem("samskap.name") || "";
    dialog.addEventListener("cancel", (e) => e.preventDefault());
    $("#name-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const name = input.value.trim().replace(/\s+/g, " ").slice(0, 64);
      if (!name) {
        input.focus();
        return;
      }
      localStorage.setItem("samskap.name", name);
      dialog.close();
      resolve(name);
    });
    dialog.showModal();
    input.focus();
  });
}

/** The board cannot be used (no token, deleted, replaced, removed): say why, over everything. */
export function showFatal(key) {
  const box = $("#fatal");
  box.querySelector(".fatal-text").textContent = t(key);
  box.hidden = false;
  document.body.classList.add("is-fatal");
}

/** What the page says: `announce` to screen readers (live region), `toast` to everyone. */
export class Notices {
  constructor({ announcer, toast }) {
    this.announcer = announcer;
    this.toastEl = toast;
    this.timer = null;
    this.announce = this.announce.bind(this);
    this.toast = this.toast.bind(this);
  }

  /** Cleared first and set a moment later, so the same words twice are read twice. */
  announce(text) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.announcer.textContent = "";
      this.announcer.textContent = text;
    }, 100);
  }

  toast(text) {
    const el = this.toastEl;
    el.textContent = text;
    el.hidden = false;
    clearTimeout(el._timer);
    el._timer = setTimeout(() => (el.hidden = true), 4000);
  }
}
