// The selection toolbar: colours, edit, duplicate, lock (facilitators), front/back,
// connect, delete, placed beside what is selected (never over it) and clear of the
// tool column, the banners and the step card.

import { drawnBounds, unionBounds } from "../geometry.js";
import { t } from "../i18n.js";
import { FRAME_COLORS, INK_COLORS, NOTE_COLORS, TEXT_FIELD } from "../schema.js";
import { $ } from "./page.js";
import { palette } from "./palette.js";
import { placeBeside } from "./placement.js";

// What the toolbar must neither hide under nor cover: the banners (vote, private writing,
// follow), the agenda step, the vote results, the zoom bar, the tool column and the
// "offline" strip under the top bar.
const OBSTACLES = [
  "#session-strip > :not([hidden])",
  "#step-card:not([hidden])",
  "#results:not([hidden])",
  ".bottombar > :not([hidden])",
  "#toolbar:not([hidden])",
  ".topbar > .status[data-state='offline']",
].join(", ");

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
   * The selection toolbar goes beside what is drawn (the box around a rotated object's
   * turned corners, not its unrotated box, which a turned corner and its resize handle
   * stick out of), never over it: above, or below when there is no room, else beside it
   * (placeBeside()). The 16 px gap clears a handle, which reaches under 9 px past a
   * corner. A frame's title, drawn above its top edge, counts as part of the frame. It
   * keeps clear of the banners, the step card, the results, the zoom bar and the tool
   * column (OBSTACLES), so it never hides under them or covers them.
   */
  place() {
    const { actions, camera, lookup } = this.ctx;
    const selbar = this.el;
    if (selbar.hidden) return;
    const objs = actions.selected();
    const b = unionBounds(objs.map((o) => drawnBounds(o, lookup)));
    if (!b) return;
    const a = camera.toScreen(b.x, b.y),
      z = camera.toScreen(b.x + b.w, b.y + b.h);
    // Out of view (panned away, brought to a frame): no toolbar floating over the tools.
    const away = z.y < 0 || a.y > camera.height || z.x < 0 || a.x > camera.width;
    selbar.style.visibility = away ? "hidden" : "";
    if (away) return;
    const title = objs.some((o) => o.kind === "frame") ? Math.max(18 * camera.zoom, 12) + 8 : 0;
    const target = { x: a.x, y: a.y - title, w: z.x - a.x, h: z.y - a.y + title };
    const area = { x: 0, y: 0, w: camera.width, h: camera.height };
    const avoid = this.obstacles();
    let spot = this.spot("row", target, area, avoid);
    // No room above, below or beside (a frame as tall as a tablet's view): a column of
    // buttons fits beside it where a row does not.
    if (spot.cost && !this.spot("column", target, area, avoid).cost) spot = this.spot("column", target, area, avoid);
    else if (spot.cost) this.spot("row", target, area, avoid);
    selbar.dataset.side = spot.side;
    selbar.style.transform = `translate(${Math.round(spot.x)}px, ${Math.round(spot.y)}px)`;
  }

  /** Lay the toolbar out as a `row` or a `column` and find it a spot beside `target`. */
  spot(orient, target, area, avoid) {
    const selbar = this.el;
    if (selbar.dataset.orient !== orient) selbar.dataset.orient = orient;
    return placeBeside(target, { w: selbar.offsetWidth, h: selbar.offsetHeight }, area, avoid);
  }

  /** The page's furniture over the board, as rectangles in the stage's coordinates. */
  obstacles() {
    const s = this.stage.getBoundingClientRect();
    const out = [];
    for (const el of document.querySelectorAll(OBSTACLES)) {
      const r = el.getBoundingClientRect();
      if (r.width && r.height) out.push({ x: r.left - s.left, y: r.top - s.top, w: r.width, h: r.height });
    }
    return out;
  }
}
