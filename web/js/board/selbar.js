// The selection toolbar: colours, edit, duplicate, lock (facilitators), front/back,
// connect, delete, placed above what is selected and clear of the tool column.

import { drawnBounds, unionBounds } from "../geometry.js";
import { t } from "../i18n.js";
import { FRAME_COLORS, INK_COLORS, NOTE_COLORS, TEXT_FIELD } from "../schema.js";
import { $ } from "./page.js";
import { palette } from "./palette.js";

export class SelectionBar {
  /** `ctx`: the shared services; `editor`: for "Edit"; `stage`: the board's box on the page. */
  constructor({ ctx, editor, stage }) {
    this.ctx = ctx;
    this.stage = stage;
    this.el = $("#selbar");
    this.toolColumn = $("#toolbar");
    // Which selected objects are locked, as last shown on the toolbar.
    this.shownLockKey = "";
    const { actions, selection, canvas } = ctx;
    const act = (id, fn) => $(id).addEventListener("click", fn);
    act("#act-edit", () => selection.size === 1 && editor.start([...selection][0]));
    act("#act-duplicate", () => actions.duplicate());
    act("#act-lock", () => this.toggleLock());
    act("#act-front", () => actions.toFront());
    act("#act-back", () => actions.toBack());
    act("#act-connect", () => {
      const sel = [...selection];
      if (sel.length === 2) actions.connect(sel[0], sel[1]);
    });
    act("#act-delete", () => {
      const n = selection.size;
      actions.deleteSelection();
      ctx.announce(t("announce.deleted", { n }));
      canvas.focus();
    });
  }

  isFacilitator() {
    return !!this.ctx.you && this.ctx.you.role === "facilitator";
  }

  lockKey() {
    return this.ctx.actions
      .selected()
      .map((o) => (o.locked ? 1 : 0))
      .join("");
  }

  /** The board changed: locked or unlocked (here or by a facilitator elsewhere), other actions apply. */
  boardChanged() {
    if (this.lockKey() !== this.shownLockKey) this.update();
  }

  toggleLock() {
    const done = this.ctx.actions.toggleLock();
    if (done && done.n) this.ctx.announce(t(done.locked ? "announce.locked" : "announce.unlocked", { n: done.n }));
  }

  update() {
    const { actions, ui } = this.ctx;
    const selbar = this.el;
    const objs = actions.selected();
    this.shownLockKey = this.lockKey();
    selbar.hidden = !objs.length || ui.readOnly;
    if (selbar.hidden) return;
    const kinds = new Set(objs.map((o) => o.kind));
    let colors = INK_COLORS;
    if ([...kinds].every((k) => k === "note" || k === "shape")) colors = NOTE_COLORS;
    else if ([...kinds].every((k) => k === "frame")) colors = FRAME_COLORS;
    // Locked objects (a template's background) cannot be changed: with nothing else
    // selected, no buttons that would do nothing (or be refused).
    const changeable = objs.some((o) => !o.locked);
    const swatches = $("#selbar-colors");
    swatches.hidden = !changeable || (kinds.has("image") && kinds.size === 1);
    const first = objs[0].color;
    palette(swatches, colors, (c) => actions.setColor(c), () => first);
    $("#act-connect").hidden = objs.length !== 2;
    $("#act-edit").hidden = !(objs.length === 1 && TEXT_FIELD[objs[0].kind] && !objs[0].locked);
    for (const id of ["#act-front", "#act-back", "#act-delete"]) $(id).hidden = !changeable;
    // Lock / Unlock, for the facilitator only: Unlock when everything selected is locked.
    const lockBtn = $("#act-lock");
    lockBtn.hidden = !this.isFacilitator();
    const unlock = objs.every((o) => o.locked);
    const label = t(unlock ? "action.unlock" : "action.lock");
    lockBtn.dataset.i18nLabel = lockBtn.dataset.i18nTitle = unlock ? "action.unlock" : "action.lock";
    lockBtn.setAttribute("aria-label", label);
    lockBtn.title = label;
    lockBtn.querySelector(".lock-on").hidden = unlock;
    lockBtn.querySelector(".lock-off").hidden = !unlock;
    $("#selbar-count").textContent = t("selection.count", { n: objs.length });
    this.place();
  }

  /**
   * The selection toolbar goes above what is drawn: the box around a rotated object's
   * turned corners, not its unrotated box, which a turned corner (and its resize
   * handle) sticks out of. The 16 px gap clears a handle, which reaches under 9 px past
   * a corner (3 px outside it, turned, plus half of its 8 px).
   */
  place() {
    const { actions, camera, lookup } = this.ctx;
    const selbar = this.el;
    if (selbar.hidden) return;
    const b = unionBounds(actions.selected().map((o) => drawnBounds(o, lookup)));
    if (!b) return;
    const top = camera.toScreen(b.x + b.w / 2, b.y);
    const bottom = camera.toScreen(b.x + b.w / 2, b.y + b.h);
    const left = camera.toScreen(b.x, b.y).x,
      right = camera.toScreen(b.x + b.w, b.y).x;
    // Out of view (panned away, brought to a frame): no toolbar floating over the tools.
    const away = bottom.y < 0 || top.y > camera.height || right < 0 || left > camera.width;
    selbar.style.visibility = away ? "hidden" : "";
    if (away) return;
    const w = selbar.offsetWidth,
      hgt = selbar.offsetHeight;
    let y = top.y - hgt - 16;
    if (y < 8) y = Math.min(bottom.y + 16, camera.height - hgt - 8);
    // Clear of the tool column (when the board is wide enough for both).
    const toolColumn = this.toolColumn;
    const toolsRight = toolColumn.hidden ? 0 : toolColumn.getBoundingClientRect().right - this.stage.getBoundingClientRect().left;
    const minX = toolsRight + 8 + w <= camera.width - 8 ? toolsRight + 8 : 8;
    const x = Math.max(minX, Math.min(camera.width - w - 8, top.x - w / 2));
    selbar.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }
}
