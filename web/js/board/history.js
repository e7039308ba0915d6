// Undo and redo from the buttons and the keyboard, announced; when someone else had
// changed a field since, the announcement says that theirs was kept.

import { t } from "../i18n.js";
import { $ } from "./page.js";

export class History {
  constructor({ undo, ui, announce }) {
    this.stack = undo;
    this.ui = ui;
    this.announce = announce;
    $("#undo-btn").addEventListener("click", () => this.undo());
    $("#redo-btn").addEventListener("click", () => this.redo());
    undo.addEventListener("change", () => {
      $("#undo-btn").disabled = !undo.done.length;
      $("#redo-btn").disabled = !undo.undone.length;
    });
  }

  /** "Undone", and when someone else had changed a field since, that theirs was kept. */
  _said(key) {
    const kept = this.stack.lastSkipped ? ` ${t("announce.undo_kept", { n: this.stack.lastSkipped })}` : "";
    this.announce(t(key) + kept);
  }

  undo() {
    if (this.stack.undo()) this._said("announce.undo");
  }

  redo() {
    if (this.stack.redo()) this._said("announce.redo");
  }
}
