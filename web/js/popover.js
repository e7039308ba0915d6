// Popovers that behave: one open at a time; a click outside, Escape or opening another
// closes the open one; focus goes back to the button that opened it (when it was inside).
// Used by the people list, the export menu and the share dialog.

/**
 * Keeps the page's popovers: `<details>` menus (opener = their <summary>) and modal
 * `<dialog>`s (opener = the button that called `showDialog`).
 */
export class Popovers {
  constructor(doc = document) {
    this.doc = doc;
    this.items = new Set();
    this.openers = new Map();
    doc.addEventListener("pointerdown", (e) => this.outside(e), true);
    doc.addEventListener("keydown", (e) => this.escape(e));
  }

  /** A <details> menu: opening it closes the others. */
  addMenu(details) {
    this.items.add(details);
    details.addEventListener("toggle", () => {
      if (details.open) this.closeAll(details);
    });
    return details;
  }

  /** A <dialog>: shown modal, closed by Escape (the browser's) or a click on its backdrop. */
  addDialog(dialog) {
    this.items.add(dialog);
    dialog.addEventListener("close", () => {
      const opener = this.openers.get(dialog);
      this.openers.delete(dialog);
      if (opener && opener.isConnected) opener.focus();
    });
    // A press on the backdrop lands on the <dialog> itself, outside its box.
    dialog.addEventListener("pointerdown", (e) => {
      if (e.target !== dialog) return;
      const r = dialog.getBoundingClientRect();
      if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) dialog.close();
    });
    return dialog;
  }

  /** Open `dialog` as the one popover; focus returns to `opener` when it closes. */
  showDialog(dialog, opener) {
    this.closeAll(dialog);
    if (opener) this.openers.set(dialog, opener);
    if (!dialog.open) dialog.showModal();
  }

  isOpen(item) {
    return item.tagName === "DIALOG" ? item.open : !!item.open;
  }

  /** Close every popover but `keep`. */
  closeAll(keep = null) {
    for (const item of this.items) if (item !== keep && this.isOpen(item)) this.close(item, false);
  }

  close(item, refocus) {
    if (item.tagName === "DIALOG") {
      if (!refocus) this.openers.delete(item);
      item.close();
      return;
    }
    const hadFocus = item.contains(this.doc.activeElement);
    item.open = false;
    if (refocus || hadFocus) item.querySelector("summary")?.focus();
  }

  /** A press outside closes open menus; one inside an open dialog does not (a confirmation
   * asked from a menu, as "Undo what Troll did", is part of that menu's task). */
  outside(e) {
    if (e.target instanceof Element && e.target.closest("dialog[open]")) return;
    for (const item of this.items) {
      if (item.tagName === "DIALOG" || !item.open) continue;
      if (!item.contains(e.target)) this.close(item, false);
    }
  }

  escape(e) {
    if (e.key !== "Escape") return;
    for (const item of this.items) {
      if (item.tagName === "DIALOG" || !item.open) continue;
      e.preventDefault();
      e.stopPropagation();
      this.close(item, true);
    }
  }
}
