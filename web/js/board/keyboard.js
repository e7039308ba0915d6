// Keyboard shortcuts on the board (the list is in the shortcuts dialog): undo/redo,
// select all, duplicate, lock, z-order, arrows (nudge, resize with Alt, else pan),
// delete, Enter (edit, vote, place), zoom, connect two, tool keys; space held pans;
// Shift+F10 and the ContextMenu key open the actions menu; Shift+P says where the
// selection is; typing on what was just drawn
// writes in it.

import { t } from "../i18n.js";
import { TEXT_FIELD } from "../schema.js";
import { isTextInput } from "../util.js";
import { $ } from "./page.js";
import { whereWords } from "./where.js";

const TOOL_KEYS = { v: "select", h: "hand", n: "note", t: "text", r: "rectangle", o: "ellipse", d: "diamond", c: "connector", p: "pen", e: "eraser", f: "frame" };

export class Keyboard {
  constructor({ ctx, toolbox, pointer, editor, voting, selbar, history, view }) {
    Object.assign(this, { ctx, toolbox, pointer, editor, voting, selbar, history, view });
    document.addEventListener("keydown", (e) => this.keydown(e));
    // "Just drawn" lasts while that object alone stays selected.
    ctx.selection.addEventListener("change", () => {
      const { ui, selection } = ctx;
      if (ui.fresh && !(selection.size === 1 && selection.has(ui.fresh))) ui.fresh = null;
    });
    document.addEventListener("keyup", (e) => {
      if (e.key === " ") pointer.spaceDown = false;
    });
  }

  /**
   * Type-to-edit: a printable key right after drawing a shape, frame, note or text
   * starts its text with that character (as in Miro), instead of being a tool shortcut.
   * Connectors and anything not just drawn keep the shortcuts.
   */
  typeToEdit(e) {
    const { ui, selection, store } = this.ctx;
    const obj = ui.fresh && selection.size === 1 && selection.has(ui.fresh) ? store.get(ui.fresh) : null;
    if (!obj || ui.readOnly || obj.locked || obj.kind === "connector" || !TEXT_FIELD[obj.kind]) return false;
    if ([...e.key].length !== 1 || e.key === " ") return false;
    e.preventDefault();
    return this.editor.start(obj.id, { typed: e.key });
  }

  keydown(e) {
    const { ctx, toolbox, editor, voting, selbar, history, view } = this;
    const { canvas, ui, selection, store, actions, camera } = ctx;
    if (e.key === " " && !isTextInput(e.target) && document.activeElement === canvas) {
      this.pointer.spaceDown = true;
      e.preventDefault();
      return;
    }
    if (isTextInput(e.target) || $("#name-dialog").open || $("#shortcuts-dialog").open) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    const onCanvas = document.activeElement === canvas || document.activeElement === document.body;
    if (onCanvas && !mod && !e.altKey && this.typeToEdit(e)) return;
    if (mod && key === "z") {
      e.preventDefault();
      if (ui.readOnly) return;
      if (e.shiftKey) history.redo();
      else history.undo();
      return;
    }
    if (mod && key === "y") {
      e.preventDefault();
      if (!ui.readOnly) history.redo();
      return;
    }
    if (e.key === "?" || (e.shiftKey && key === "/")) {
      e.preventDefault();
      $("#shortcuts-dialog").showModal();
      return;
    }
    if (e.key === "Escape" && selbar.el.contains(document.activeElement)) {
      // From the selection toolbar: the selection goes (and its toolbar with it), and
      // the keyboard is back on the board, where it was before Tab.
      e.preventDefault();
      canvas.focus({ preventScroll: true });
      selection.clear();
      return;
    }
    if (!onCanvas) return;
    if (e.key === "ContextMenu" || (e.shiftKey && e.key === "F10")) {
      // The actions menu for the selection (board/menu.js), as a right-click opens it.
      e.preventDefault();
      canvas.dispatchEvent(new CustomEvent("samskap:menu", { detail: {} }));
      return;
    }
    if (mod && key === "a") {
      e.preventDefault();
      selection.set(store.sorted().map((o) => o.id));
      ctx.announce(t("announce.selected", { n: selection.size }));
      return;
    }
    if (mod && key === "d") {
      e.preventDefault();
      if (!ui.readOnly) actions.duplicate();
      return;
    }
    if (mod && e.shiftKey && key === "l") {
      e.preventDefault();
      if (selbar.isFacilitator()) selbar.toggleLock();
      return;
    }
    if (mod && (e.key === "]" || e.key === "[")) {
      e.preventDefault();
      if (!ui.readOnly) e.key === "]" ? actions.toFront() : actions.toBack();
      return;
    }
    if (e.key === "Escape") {
      if (toolbox.name !== "select") toolbox.setTool("select");
      else selection.clear();
      toolbox.tool.cancel?.();
      return;
    }
    if (e.key.startsWith("Arrow")) {
      e.preventDefault();
      const step = e.shiftKey ? 10 : 1;
      const dx = e.key === "ArrowLeft" ? -1 : e.key === "ArrowRight" ? 1 : 0;
      const dy = e.key === "ArrowUp" ? -1 : e.key === "ArrowDown" ? 1 : 0;
      if (selection.size && !ui.readOnly) {
        if (e.altKey) actions.resizeBy(dx * step * 10, dy * step * 10);
        else actions.nudge(dx * step, dy * step);
      } else camera.panBy(-dx * 60, -dy * 60);
      return;
    }
    if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      const n = actions.selected().filter((o) => !o.locked).length;
      if (!ui.readOnly && n) {
        actions.deleteSelection();
        ctx.announce(t("announce.deleted", { n }));
      }
      return;
    }
    if (e.key === "Enter") {
      e.preventDefault();
      const only = selection.size === 1 ? store.get([...selection][0]) : null;
      if (voting.active && only && only.kind === "note") return voting.toggle(only.id, e.shiftKey);
      if (toolbox.placing) return toolbox.placeAtCenter(toolbox.name);
      if (selection.size === 1) editor.start([...selection][0]);
      return;
    }
    if (mod || e.altKey) return;
    if (e.key === "+" || e.key === "=") return camera.zoomAt(camera.zoom * 1.25);
    if (e.key === "-") return camera.zoomAt(camera.zoom / 1.25);
    if (e.key === "0") return camera.zoomAt(1);
    if (e.shiftKey && (e.key === "!" || e.code === "Digit1")) return view.zoomToFit();
    if (e.shiftKey && (e.key === "@" || e.code === "Digit2")) return view.zoomToSelection();
    if (e.shiftKey && key === "p") {
      // Coordinates only on request (board/where.js).
      ctx.announce(t(...whereWords(actions.selected(), store.sorted(), ctx.lookup)));
      return;
    }
    if (e.shiftKey && key === "c") {
      const sel = [...selection];
      if (sel.length === 2 && !ui.readOnly) actions.connect(sel[0], sel[1]);
      return;
    }
    if (key === "i" && !ui.readOnly) return toolbox.setTool("image");
    if (TOOL_KEYS[key] && !e.shiftKey) toolbox.setTool(TOOL_KEYS[key]);
  }
}
