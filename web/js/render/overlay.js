// What is drawn on top of the content every frame and never cached: lock marks of the
// selection, others' selections, the selection with its handles, the marquee, drafts.
// Mixed into Renderer (`this.c` is the screen's context in the content's transform).

import { bounds, center, connectorEnds, groupBox, groupMembers, rotationOf, turn } from "../geometry.js";
import { ARROW, arrowHead, padlock, resizable, rotate, strokePoints } from "./shapes.js";

const HANDLE = 8;
const ACCENT = "#2563eb";

export const overlayPainting = {
  /**
   * Locked objects say so when selected (a template's background is all locked). On
   * top of the content, so that selecting never redraws the content.
   */
  _lockMarks() {
    const { c, camera, ui } = this;
    const z = camera.zoom;
    if (z <= 0.3) return;
    for (const id of ui.selection) {
      const obj = this.store.get(id);
      if (!obj || !obj.locked) continue;
      const b = bounds(obj, this.lookup);
      const turned = rotate(c, obj, b);
      padlock(c, b.x + b.w - 4 / z, b.y + 4 / z, 1 / z);
      if (turned) c.restore();
    }
  },

  _outline(obj, color, width) {
    const c = this.c;
    const z = this.camera.zoom;
    c.strokeStyle = color;
    c.lineWidth = width / z;
    if (obj.kind === "connector") {
      const [a, b] = connectorEnds(obj, this.lookup);
      c.beginPath();
      c.moveTo(a.x, a.y);
      c.lineTo(b.x, b.y);
      c.globalAlpha = 0.35;
      c.lineWidth = 8 / z;
      c.stroke();
      c.globalAlpha = 1;
      return;
    }
    const b = bounds(obj, this.lookup);
    const pad = 3 / z;
    const turned = rotate(c, obj, b);
    c.strokeRect(b.x - pad, b.y - pad, b.w + 2 * pad, b.h + 2 * pad);
    if (turned) c.restore();
  },

  _remoteSelections() {
    for (const [id, color] of this.ui.remoteSelected || []) {
      const obj = this.store.get(id);
      if (obj) this._outline(obj, color, 2);
    }
  },

  _selection() {
    const { c, ui } = this;
    const z = this.camera.zoom;
    const selected = [...ui.selection].map((id) => this.store.get(id)).filter(Boolean);
    for (const obj of selected) this._outline(obj, ACCENT, 2);
    const handles = this.handles();
    if (handles.length && handles[0].group) {
      // A multi-selection is resized as one: a thin dashed box joins its four handles.
      const [nw, , , se] = handles;
      c.strokeStyle = ACCENT;
      c.lineWidth = 1 / z;
      c.setLineDash([4 / z, 3 / z]);
      c.strokeRect(nw.x, nw.y, se.x - nw.x, se.y - nw.y);
      c.setLineDash([]);
    }
    c.fillStyle = "#ffffff";
    c.strokeStyle = ACCENT;
    c.lineWidth = 1.5 / z;
    for (const hd of handles) {
      c.fillRect(hd.x - HANDLE / 2 / z, hd.y - HANDLE / 2 / z, HANDLE / z, HANDLE / z);
      c.strokeRect(hd.x - HANDLE / 2 / z, hd.y - HANDLE / 2 / z, HANDLE / z, HANDLE / z);
    }
    if (ui.marquee) {
      const m = ui.marquee;
      c.fillStyle = "rgba(37,99,235,0.08)";
      c.fillRect(m.x, m.y, m.w, m.h);
      c.strokeStyle = ACCENT;
      c.lineWidth = 1 / z;
      c.strokeRect(m.x, m.y, m.w, m.h);
    }
    if (ui.hoverTarget) {
      const obj = this.store.get(ui.hoverTarget);
      if (obj) this._outline(obj, "#16a34a", 3);
    }
  },

  /**
   * Resize handles (world coordinates), in the order nw, ne, sw, se. One selected box
   * or stroke: the corners of its selection outline, turned with the object so they sit
   * where it is drawn. Connectors have none: a connector is sized by the two ends it
   * joins. Several selected objects: the corners of the axis-aligned box around the
   * unlocked ones (groupBox()), marked `group: true`; the select tool scales them all
   * together.
   */
  handles() {
    if (this.ui.readOnly || !this.ui.selection.size) return [];
    if (this.ui.selection.size > 1) return this._groupHandles();
    const obj = this.store.get([...this.ui.selection][0]);
    if (!obj || obj.locked || !resizable(obj)) return [];
    const b = bounds(obj, this.lookup);
    const pad = 3 / this.camera.zoom;
    const x0 = b.x - pad, y0 = b.y - pad, x1 = b.x + b.w + pad, y1 = b.y + b.h + pad;
    const c = center(b), deg = rotationOf(obj);
    const corners = [
      { x: x0, y: y0, corner: "nw" },
      { x: x1, y: y0, corner: "ne" },
      { x: x0, y: y1, corner: "sw" },
      { x: x1, y: y1, corner: "se" },
    ];
    return corners.map((hd) => ({ ...turn(hd, c, deg), corner: hd.corner }));
  },

  _groupHandles() {
    const selected = [...this.ui.selection].map((id) => this.store.get(id)).filter(Boolean);
    const b = groupBox(groupMembers(selected), this.lookup);
    if (!b) return [];
    const pad = 3 / this.camera.zoom;
    const x0 = b.x - pad, y0 = b.y - pad, x1 = b.x + b.w + pad, y1 = b.y + b.h + pad;
    return [
      { x: x0, y: y0, corner: "nw", group: true },
      { x: x1, y: y0, corner: "ne", group: true },
      { x: x0, y: y1, corner: "sw", group: true },
      { x: x1, y: y1, corner: "se", group: true },
    ];
  },

  _drafts() {
    const { c, ui } = this;
    const d = ui.draft;
    if (!d) return;
    if (d.kind === "path") {
      c.strokeStyle = d.color;
      c.lineWidth = d.width;
      c.lineCap = "round";
      c.lineJoin = "round";
      c.beginPath();
      strokePoints(c, d.points, 0, 0);
      c.stroke();
    } else if (d.kind === "connector") {
      c.strokeStyle = ACCENT;
      c.fillStyle = ACCENT;
      c.lineWidth = 2 / this.camera.zoom;
      c.beginPath();
      c.moveTo(d.a.x, d.a.y);
      c.lineTo(d.b.x, d.b.y);
      c.stroke();
      const len = Math.hypot(d.b.x - d.a.x, d.b.y - d.a.y);
      if (len > 1e-6) arrowHead(c, d.b, (d.b.x - d.a.x) / len, (d.b.y - d.a.y) / len, Math.min(ARROW, len / 3));
    } else if (d.kind === "box") {
      c.strokeStyle = ACCENT;
      c.lineWidth = 1.5 / this.camera.zoom;
      c.setLineDash([6 / this.camera.zoom, 4 / this.camera.zoom]);
      c.strokeRect(d.x, d.y, d.w, d.h);
      c.setLineDash([]);
    }
  },};
