// The tools and the tool column: which tool is in hand, switching tools (by button or
// key), placing a box tool's object in the middle of the view, and the note and ink
// palettes that belong to the note and pen tools.

import { INK_COLORS, NOTE_COLORS } from "../schema.js";
import { ConnectorTool } from "../tools/connector.js";
import { BOX_TOOLS, CreateTool } from "../tools/create.js";
import { EraserTool, PenTool } from "../tools/pen.js";
import { SelectTool } from "../tools/select.js";
import { extend } from "./context.js";
import { $ } from "./page.js";
import { palette } from "./palette.js";
import { ToolNav } from "./toolnav.js";

export class Toolbox {
  /** `ctx`: the shared services; `editor`: the text editor (new notes open in it). */
  constructor({ ctx, editor }) {
    this.ctx = ctx;
    const { ui } = ctx;
    const toolCtx = extend(ctx, { editor, setTool: (name) => this.setTool(name) });
    this.tools = {
      select: new SelectTool(toolCtx),
      connector: new ConnectorTool(toolCtx),
      pen: new PenTool(toolCtx),
      eraser: new EraserTool(toolCtx),
    };
    for (const name of Object.keys(BOX_TOOLS)) this.tools[name] = new CreateTool(toolCtx, name);
    this.tool = this.tools.select;
    this.name = "select";

    for (const b of document.querySelectorAll("button[data-tool]")) {
      b.addEventListener("click", (e) => {
        const name = b.dataset.tool;
        if (b.getAttribute("aria-disabled") === "true") return this.setTool(name); // says why
        // From the keyboard, a box tool places its object in the middle of the view at once.
        if (e.detail === 0 && BOX_TOOLS[name] && !ui.readOnly) {
          this.setTool(name);
          this.placeAtCenter(name);
          return;
        }
        this.setTool(name);
        if (name !== "image") ctx.canvas.focus({ preventScroll: true });
      });
    }
    this.buildPalettes();
    this.nav = new ToolNav({ column: $("#toolbar"), skip: $("#skip-tools"), canvas: ctx.canvas });
  }

  /** Take tool `name` in hand (viewers and paused participants keep select and hand). */
  setTool(name) {
    const { ui, canvas, selection, renderer } = this.ctx;
    if ((ui.readOnly || ui.canAdd === false) && name !== "select" && name !== "hand") {
      // Paused by the facilitator: say so (on screen and to screen readers), never silently.
      if (!ui.readOnly) {
        this.ctx.toast(this.ctx.t("tool.paused"));
        this.ctx.announce(this.ctx.t("tool.paused"));
      }
      return;
    }
    if (name === "image") {
      $("#image-input").click();
      return;
    }
    this.tool.cancel?.();
    // A drawing tool starts something new: the selection, its toolbar and its handles go
    // (they stayed over where one draws).
    if (name !== "select" && name !== "hand" && name !== this.name) selection.clear();
    this.name = name;
    this.tool = this.tools[name] || this.tools.select;
    for (const b of document.querySelectorAll("button[data-tool]")) b.setAttribute("aria-pressed", String(b.dataset.tool === name));
    this.nav.refresh();
    canvas.dataset.tool = name;
    canvas.style.cursor = name === "hand" ? "grab" : this.tool.cursor;
    $("#note-palette").hidden = name !== "note";
    $("#ink-palette").hidden = name !== "pen";
    renderer.request();
  }

  /** A box tool is in hand (note, text, shapes, frame). */
  get placing() {
    return !!BOX_TOOLS[this.name];
  }

  /** Place a new object of a box tool in the middle of the view (keyboard use). */
  placeAtCenter(name) {
    const { camera, store } = this.ctx;
    const c = camera.center();
    const nudge = store.sorted().filter((o) => Math.abs(o.x + (o.w || 0) / 2 - c.x) < 10 && Math.abs(o.y + (o.h || 0) / 2 - c.y) < 10).length * 24;
    this.tools[name].place(null, { x: c.x + nudge, y: c.y + nudge });
  }

  /** The note and ink palettes (again after a language change: their names are words). */
  buildPalettes() {
    const { ui } = this.ctx;
    palette(
      $("#note-palette"),
      NOTE_COLORS,
      (c) => {
        ui.noteColor = c;
        localStorage.setItem("samskap.noteColor", c);
      },
      () => ui.noteColor,
    );
    palette($("#ink-palette"), INK_COLORS, (c) => (ui.inkColor = c), () => ui.inkColor);
  }
}
