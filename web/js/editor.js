// Editing an object's text in place: a <textarea> over the object. Others see the text
// as it is typed and a "… is editing" label; they cannot edit it at the same time.

import { TEXT_LIMITS } from "./model.generated.js";
import { TEXT_FIELD } from "./schema.js";
import { LINE_HEIGHT, textLayout, wrapText } from "./render/text.js";
import { throttle } from "./util.js";

/** A placeholder: one line that ends in a space and an ellipsis. */
const PROMPT = /^[^\n]* …$/;

export class Editor {
  constructor(ctx, layer) {
    this.ctx = ctx;
    this.layer = layer;
    this.id = null;
    this.area = null;
    this.live = throttle(() => this._send(false), 300);
  }

  get active() {
    return this.id !== null;
  }

  /**
   * Edit the text of object `id`. `typed`: a key typed on a freshly drawn object, which
   * starts its text (replacing a new frame's default title) as it would in Miro.
   */
  start(id, { typed = "" } = {}) {
    const { ctx } = this;
    const obj = ctx.store.get(id);
    if (!obj || ctx.readOnly || !TEXT_FIELD[obj.kind]) return false;
    const other = ctx.editingBy(id);
    if (other) {
      ctx.toast(ctx.t("editing.locked", { name: other.name }));
      return false;
    }
    if (obj.locked) return false;
    this.finish();
    this.id = id;
    this.field = TEXT_FIELD[obj.kind];
    this.original = obj[this.field] || "";
    const area = document.createElement("textarea");
    area.className = `text-editor kind-${obj.kind}`;
    area.value = typed && this.original === ctx.t("frame.default_title") ? "" : this.original;
    area.value += typed;
    area.setAttribute("aria-label", ctx.t("edit.label", { what: ctx.t(`kind.${obj.kind}`) }));
    area.maxLength = TEXT_LIMITS[this.field];
    area.addEventListener("input", () => {
      this._fitText();
      this.live();
    });
    area.addEventListener("keydown", (e) => {
      if (e.key === "Escape" || (e.key === "Enter" && (e.ctrlKey || e.metaKey))) {
        e.preventDefault();
        e.stopPropagation();
        this.finish();
        ctx.canvas.focus();
      } else if (e.key === "Enter" && this.field === "title") {
        e.preventDefault();
        this.finish();
        ctx.canvas.focus();
      }
      e.stopPropagation();
    });
    area.addEventListener("blur", () => this.finish());
    this.area = area;
    this.layer.append(area);
    ctx.ui.editingId = id;
    ctx.selection.set([id]);
    ctx.sendPresence();
    this.position();
    area.focus();
    // A text ending in " …" is a prompt to fill in (a template's "Skriv spørsmålet her …"):
    // it opens selected, so typing replaces it. Notes and the rest open with the caret at the end.
    if (!typed && obj.kind !== "note" && PROMPT.test(area.value)) area.select();
    else area.setSelectionRange(area.value.length, area.value.length);
    if (typed) {
      this._fitText();
      this.live();
    }
    ctx.renderer.request();
    return true;
  }

  _fitText() {
    const obj = this.ctx.store.get(this.id);
    if (obj && obj.kind === "note") {
      const L = textLayout({ ...obj, text: this.area.value });
      this.area.style.fontSize = `${L.size * this.ctx.camera.zoom}px`;
    }
  }

  /** Keep the textarea over its object when the view or the object moves. */
  position() {
    if (!this.area) return;
    const { ctx } = this;
    const obj = ctx.store.get(this.id);
    if (!obj) return this.finish(true);
    const z = ctx.camera.zoom;
    let box;
    let size;
    if (obj.kind === "connector" || obj.kind === "frame") {
      if (obj.kind === "frame") box = { x: obj.x, y: obj.y - 34 / z, w: Math.max(obj.w, 200 / z), h: 30 / z };
      else {
        const [a, e] = ctx.connectorEnds(obj);
        box = { x: (a.x + e.x) / 2 - 100 / z, y: (a.y + e.y) / 2 - 16 / z, w: 200 / z, h: 32 / z };
      }
      size = 14 / z;
    } else {
      box = obj;
      size = obj.kind === "text" ? obj.font_size : textLayout(obj).size;
    }
    const p = ctx.camera.toScreen(box.x, box.y);
    // The 2 px border (board.css) lies outside the object's box, so the text inside has
    // the room the board gives it and wraps where the board wraps it.
    const border = 2;
    Object.assign(this.area.style, {
      left: `${p.x - border}px`,
      top: `${p.y - border}px`,
      width: `${box.w * z + 2 * border}px`,
      height: `${box.h * z + 2 * border}px`,
      fontSize: `${size * z}px`,
      padding: `${(obj.kind === "note" ? 14 : obj.kind === "text" ? 0 : 8) * z}px`,
      background: obj.kind === "note" || obj.kind === "shape" ? obj.color : "#ffffff",
      color: obj.kind === "text" ? obj.color : "#111827",
      textAlign: obj.kind === "text" ? obj.align : obj.kind === "frame" || obj.kind === "connector" ? "left" : "center",
    });
    this._fitText();
  }

  _send(final) {
    const { ctx } = this;
    if (!this.area || !ctx.store.view.has(this.id)) return;
    const value = this.area.value;
    const cur = ctx.store.view.get(this.id);
    const set = {};
    if (cur[this.field] !== value) set[this.field] = value;
    if (cur.kind === "text") {
      // Wrapped as the board and the export draw it: to the box's width, no padding.
      const lines = wrapText(value, cur.font_size, Math.max(1, cur.w)).length;
      const h = Math.max(cur.font_size * LINE_HEIGHT + 8, Math.ceil(lines * cur.font_size * LINE_HEIGHT + 8));
      if (h !== cur.h) set.h = h;
    }
    if (!final) {
      if (Object.keys(set).length) ctx.actions.commit([{ op: "update", id: this.id, set }], { undoable: false });
      return;
    }
    if (value === this.original && !Object.keys(set).length) return;
    const ops = Object.keys(set).length ? [{ op: "update", id: this.id, set }] : [];
    if (ops.length) ctx.conn.send(ops);
    const forward = [{ op: "update", id: this.id, set: { [this.field]: value } }];
    const inverse = [{ op: "update", id: this.id, set: { [this.field]: this.original } }];
    ctx.undo.record(forward, inverse);
  }

  finish(dropped = false) {
    if (!this.area) return;
    const area = this.area;
    this.live.cancel();
    if (!dropped) this._send(true);
    // Written in once: its text is no longer "just drawn" (the keys are shortcuts again).
    if (this.ctx.ui.fresh === this.id) this.ctx.ui.fresh = null;
    this.area = null;
    this.id = null;
    this.ctx.ui.editingId = null;
    area.remove();
    this.ctx.sendPresence();
    this.ctx.renderer.request();
  }
}
