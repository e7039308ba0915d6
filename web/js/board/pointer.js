// Pointer input on the canvas: the tool in hand gets down/move/up; the middle button,
// the space bar, the hand tool, a touch on empty space and a viewer's drag pan; two
// fingers pinch-zoom; the wheel pans (trackpad) or zooms (mouse wheel, ctrl/pinch);
// a double-click edits text or drops a note on empty space; a finger held still on an
// object for LONG_PRESS_MS opens the actions menu (board/menu.js).

import { TEXT_FIELD } from "../schema.js";

const TAP_SLOP = 10; // CSS px a finger may wander in a tap
const LONG_PRESS_MS = 500;
const LONG_PRESS_SLOP = 8; // CSS px a finger may wander in a long press

export class PointerInput {
  constructor({ ctx, toolbox, editor, voting, presenceOut }) {
    this.ctx = ctx;
    this.toolbox = toolbox;
    this.editor = editor;
    this.voting = voting;
    this.presenceOut = presenceOut;
    /** Held space bar: a drag pans (the keyboard part sets it). */
    this.spaceDown = false;
    this.pointers = new Map();
    this.pan = null;
    this.pinch = null;
    this.gesture = false;
    const { canvas } = ctx;
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    /** A finger held down: `{start, timer}` until it moves, lifts or a second one lands. */
    this.press = null;
    /** The long press opened the menu: the lift that ends it does nothing more. */
    this.longPressed = false;
    this.swallowLift = false;
    canvas.addEventListener("pointercancel", (e) => {
      this.endPress();
      this.pointers.delete(e.pointerId);
      this.pan = null;
      this.pinch = null;
      if (this.pointers.size === 0) this.gesture = false;
      this.toolbox.tool.cancel?.();
    });
    canvas.addEventListener("pointerleave", () => {
      presenceOut.cursor = null;
      presenceOut.send();
    });
    // After a long press, the lift must not turn into the browser's mouse click, which
    // would focus the board and so close the menu just opened.
    canvas.addEventListener(
      "touchend",
      (e) => {
        if (this.swallowLift) e.preventDefault();
        if (e.touches.length === 0) this.swallowLift = false;
      },
      { passive: false },
    );
    canvas.addEventListener("dblclick", (e) => this.doubleClick(e));
    canvas.addEventListener("wheel", (e) => this.wheel(e), { passive: false });
  }

  /** The event's position in canvas pixels. */
  local(e) {
    const r = this.ctx.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  /** The event's position on the board. */
  toBoard(e) {
    const s = this.local(e);
    return this.ctx.camera.toWorld(s.x, s.y);
  }

  down(e) {
    const { canvas, camera, ui } = this.ctx;
    const { toolbox, pointers } = this;
    canvas.focus({ preventScroll: true });
    if (this.editor.active) this.editor.finish();
    if (pointers.size === 0) this.selectedBefore = e.pointerType === "touch" ? [...this.ctx.selection] : null;
    pointers.set(e.pointerId, this.local(e));
    canvas.setPointerCapture(e.pointerId);
    if (pointers.size === 2) {
      this.endPress();
      toolbox.tool.cancel?.();
      this.gesture = true; // two fingers: pinch or pan until all are lifted, never a tap or a pick
      // The first finger may have picked something on its way down: put the selection back.
      if (this.selectedBefore) this.ctx.selection.set(this.selectedBefore);
      const [a, b] = [...pointers.values()];
      this.pinch = { dist: Math.hypot(a.x - b.x, a.y - b.y), mid: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }, zoom: camera.zoom };
      this.pan = null;
      return;
    }
    const s = this.local(e);
    const p = camera.toWorld(s.x, s.y);
    this.longPressed = false;
    // (While a vote is open a press on a note votes: no menu then.)
    if (e.pointerType === "touch" && pointers.size === 1 && !ui.readOnly && !this.voting.active && this.ctx.pick(p)) this.startPress(s);
    const emptyTouch = e.pointerType === "touch" && toolbox.name === "select" && !this.ctx.pick(p);
    if (e.button === 1 || this.spaceDown || toolbox.name === "hand" || (e.button === 0 && emptyTouch) || (ui.readOnly && !this.ctx.pick(p))) {
      // A tap (not a drag) on empty board clears the selection, as a click does.
      this.pan = { last: s, start: s, tap: emptyTouch && pointers.size === 1 };
      canvas.style.cursor = "grabbing";
      return;
    }
    if (e.button !== 0 || this.gesture) return;
    if (this.voting.pointer(p, e.shiftKey)) return;
    toolbox.tool.down(e, p);
  }

  move(e) {
    const { camera } = this.ctx;
    const { pointers, pinch, pan } = this;
    const s = this.local(e);
    const p = camera.toWorld(s.x, s.y);
    this.presenceOut.cursor = { x: Math.round(p.x), y: Math.round(p.y) };
    this.presenceOut.send();
    if (pointers.has(e.pointerId)) pointers.set(e.pointerId, s);
    if (this.press && Math.hypot(s.x - this.press.start.x, s.y - this.press.start.y) > LONG_PRESS_SLOP) this.endPress();
    if (this.longPressed) return;
    if (pinch && pointers.size >= 2) {
      const [a, b] = [...pointers.values()];
      const dist = Math.hypot(a.x - b.x, a.y - b.y);
      const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      camera.panBy(mid.x - pinch.mid.x, mid.y - pinch.mid.y);
      camera.zoomAt((pinch.zoom * dist) / (pinch.dist || 1), mid.x, mid.y);
      pinch.mid = mid;
      return;
    }
    if (pan) {
      camera.panBy(s.x - pan.last.x, s.y - pan.last.y);
      pan.last = s;
      return;
    }
    this.toolbox.tool.move(e, p);
  }

  up(e) {
    const { toolbox } = this;
    this.pointers.delete(e.pointerId);
    this.endPress();
    if (this.longPressed) {
      // The menu is open: the lift of the finger that opened it neither moves nor picks.
      if (this.pointers.size === 0) this.longPressed = false;
      return;
    }
    if (this.pinch || this.gesture) {
      if (this.pointers.size < 2) this.pinch = null;
      if (this.pointers.size === 0) this.gesture = false;
      return;
    }
    if (this.pan) {
      const { start, tap } = this.pan;
      const s = this.local(e);
      if (tap && Math.hypot(s.x - start.x, s.y - start.y) < TAP_SLOP) this.ctx.selection.clear();
      this.pan = null;
      this.ctx.canvas.style.cursor = toolbox.name === "hand" ? "grab" : toolbox.tool.cursor;
      return;
    }
    toolbox.tool.up(e, this.toBoard(e));
  }

  /** A finger came down on an object at canvas point `s`: a long press, if it stays. */
  startPress(s) {
    this.endPress();
    const timer = setTimeout(() => {
      this.press = null;
      if (this.pointers.size !== 1 || this.gesture) return;
      // What the finger started (a drag, a marquee) is put back; the menu takes over.
      this.toolbox.tool.cancel?.();
      this.pan = null;
      this.longPressed = this.swallowLift = true;
      this.ctx.canvas.dispatchEvent(new CustomEvent("samskap:menu", { detail: { x: s.x, y: s.y, pick: true } }));
    }, LONG_PRESS_MS);
    this.press = { start: s, timer };
  }

  endPress() {
    if (this.press) clearTimeout(this.press.timer);
    this.press = null;
  }

  doubleClick(e) {
    const { ui } = this.ctx;
    const p = this.toBoard(e);
    const obj = this.ctx.pick(p);
    if (obj && TEXT_FIELD[obj.kind]) this.editor.start(obj.id);
    else if (!obj && !ui.readOnly && ui.canAdd !== false) {
      // Double-click on empty space: a new note there (quick capture).
      this.toolbox.tools.note.place(null, p);
    }
  }

  wheel(e) {
    const { camera } = this.ctx;
    e.preventDefault();
    const s = this.local(e);
    const lineScale = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    const dx = e.deltaX * lineScale,
      dy = e.deltaY * lineScale;
    const mouseWheel = e.deltaMode !== 0 || (dx === 0 && Math.abs(dy) >= 50 && Number.isInteger(dy));
    if (e.ctrlKey || e.metaKey || mouseWheel) {
      const factor = Math.exp(-dy * (e.ctrlKey && !mouseWheel ? 0.01 : 0.0015));
      camera.zoomAt(camera.zoom * factor, s.x, s.y);
    } else {
      camera.panBy(-dx, -dy);
    }
  }
}
