// The export menu: PNG, SVG or PDF of the whole board, the frame in view or the
// selection's frame; notes as CSV, the JSON backup, JSON Canvas; the session report.

import { frameAtPoint, frameOf } from "./frames.js";
import { currentLang } from "./i18n.js";
import { fetchFile, saveBlob } from "./download.js";

const PICTURES = new Set(["png", "svg", "pdf"]);

export class ExportMenu {
  constructor(ctx, root) {
    this.ctx = ctx;
    this.root = root;
    this.note = root.querySelector("#export-scope-note");
    this.bar = root.querySelector("#export-bar");
    this.status = root.querySelector("#export-status");
    this.busy = false;
    for (const b of root.querySelectorAll("[data-export]")) b.addEventListener("click", () => this.run(b.dataset.export));
    for (const r of root.querySelectorAll("input[name=export-scope]")) r.addEventListener("change", () => this.describe());
    root.addEventListener("toggle", () => root.open && this.describe());
    root.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && root.open) {
        e.stopPropagation();
        root.open = false;
        root.querySelector("summary").focus();
      }
    });
    ctx.selection.addEventListener("change", () => root.open && this.describe());
  }

  setRole(role) {
    this.root.querySelector("#export-report").hidden = role === "viewer";
    this.root.querySelector("#export-names").closest("label").hidden = role !== "facilitator";
  }

  /** The smallest frame containing point `p` (the frame rule F1). */
  frameAt(p) {
    return frameAtPoint(p, this.ctx.store.sorted());
  }

  /** {frame, note}: what a picture export of the chosen scope covers. */
  target() {
    const { ctx } = this;
    const scope = this.root.querySelector("input[name=export-scope]:checked")?.value || "board";
    if (scope === "frame") {
      const f = this.frameAt(ctx.camera.center());
      if (!f) return { frame: null, note: ctx.t("export.no_frame") };
      return { frame: f, note: ctx.t("export.frame_is", { title: f.title || ctx.t("outline.untitled") }) };
    }
    if (scope === "selection") {
      const objs = [...ctx.selection].map((id) => ctx.store.get(id)).filter(Boolean);
      if (!objs.length) return { frame: null, note: ctx.t("export.no_selection") };
      if (objs.length === 1 && objs[0].kind === "frame") return { frame: objs[0], note: ctx.t("export.frame_is", { title: objs[0].title || ctx.t("outline.untitled") }) };
      const homes = new Set(objs.map((o) => (o.kind === "frame" ? o : frameOf(o, ctx.store.sorted(), ctx.lookup))?.id || null));
      const [only] = homes;
      if (homes.size === 1 && only) {
        const f = ctx.store.get(only);
        return { frame: f, note: ctx.t("export.selection_frame", { title: f.title || ctx.t("outline.untitled") }) };
      }
      return { frame: null, note: ctx.t("export.selection_board") };
    }
    return { frame: null, note: "" };
  }

  describe() {
    this.note.textContent = this.target().note;
  }

  url(kind) {
    const base = `/api/boards/${encodeURIComponent(this.ctx.boardId)}`;
    if (kind === "report") {
      const params = new URLSearchParams({ lang: currentLang() });
      if (this.root.querySelector("#export-names").checked && !this.root.querySelector("#export-names").closest("label").hidden) params.set("names", "1");
      return `${base}/report.pdf?${params}`;
    }
    const params = new URLSearchParams();
    // Authors' names in the CSV only when the facilitator ticks "names" (the server refuses others).
    if (kind === "csv" && this.root.querySelector("#export-names").checked && !this.root.querySelector("#export-names").closest("label").hidden) params.set("names", "1");
    if (PICTURES.has(kind)) {
      const { frame } = this.target();
      if (frame) params.set("frame", frame.id);
      if (kind === "png") params.set("scale", frame ? "2" : "1");
    }
    const q = params.toString();
    return `${base}/export.${kind}${q ? `?${q}` : ""}`;
  }

  async run(kind) {
    const { ctx } = this;
    if (this.busy) return;
    this.busy = true;
    const buttons = [...this.root.querySelectorAll("[data-export]")];
    buttons.forEach((b) => (b.disabled = true));
    const label = ctx.t(`export.${kind}`);
    const ext = kind === "report" ? "pdf" : kind;
    const fallback = `${(ctx.conn.board && ctx.conn.board.title) || "board"}.${ext}`;
    this.bar.hidden = false;
    this.bar.removeAttribute("value");
    try {
      const { blob, filename } = await fetchFile(this.url(kind), ctx.token, fallback, (state, fraction) => {
        if (state === "waiting") this.status.textContent = ctx.t("export.preparing", { what: label });
        else if (fraction !== null) {
          this.bar.value = Math.round(fraction * 100);
          this.status.textContent = ctx.t("export.receiving", { pct: Math.round(fraction * 100) });
        }
      });
      saveBlob(blob, filename);
      this.status.textContent = ctx.t("export.saved", { name: filename });
    } catch (err) {
      const reason = err.status === 503 ? ctx.t("export.busy") : err.message || ctx.t("error.network");
      this.status.textContent = ctx.t("export.failed", { reason });
    } finally {
      this.bar.hidden = true;
      this.busy = false;
      buttons.forEach((b) => (b.disabled = false));
    }
  }
}
