// What this person may do now: their role, the board lock and the facilitator's
// permissions decide the toolbar, undo, which tools are enabled and the read-only state.

import { $ } from "./page.js";

export class Access {
  constructor({ ctx, session, workshop, editor, toolbox, selbar }) {
    Object.assign(this, { ctx, session, workshop, editor, toolbox, selbar });
  }

  apply() {
    const { ctx, session, workshop, editor, toolbox } = this;
    const { ui } = ctx;
    const role = ctx.you ? ctx.you.role : "viewer";
    const s = session.state;
    const participant = role === "participant";
    const wasReadOnly = ui.readOnly;
    ui.readOnly = role === "viewer" || (participant && s.locked);
    ui.canAdd = !ui.readOnly && !(participant && s.permissions.add === false);
    document.body.classList.toggle("is-viewer", role === "viewer");
    document.body.classList.toggle("is-locked", participant && !!s.locked);
    document.body.classList.toggle("is-voting", workshop.voting.active);
    $("#toolbar").hidden = ui.readOnly;
    $("#viewer-badge").hidden = role !== "viewer";
    $("#undo-group").hidden = ui.readOnly;
    // A paused tool stays focusable and clickable so it can say why it is off (issue 19).
    const paused = !ui.readOnly && !ui.canAdd;
    $("#tools-paused").hidden = !paused;
    for (const b of document.querySelectorAll("button[data-tool]")) {
      const off = paused && b.dataset.tool !== "select" && b.dataset.tool !== "hand";
      b.disabled = false;
      b.setAttribute("aria-disabled", String(off));
      if (off) b.setAttribute("aria-describedby", "tools-paused");
      else b.removeAttribute("aria-describedby");
    }
    if ((ui.readOnly && !wasReadOnly) || (!ui.canAdd && toolbox.name !== "select" && toolbox.name !== "hand")) {
      if (editor.active) editor.finish();
      toolbox.setTool("select");
    }
    workshop.render();
    this.selbar.update();
  }
}
