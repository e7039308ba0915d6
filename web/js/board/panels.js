// The top bar's buttons and the side panels they open: zoom, shortcuts, rename,
// Facilitate (the facilitator's panel) and Outline.

import { $ } from "./page.js";

export class Panels {
  constructor({ ctx, view, outline, facilitator, askName }) {
    const { camera, renderer, conn } = ctx;
    const act = (id, fn) => $(id).addEventListener("click", fn);
    act("#zoom-in", () => camera.zoomAt(camera.zoom * 1.25));
    act("#zoom-out", () => camera.zoomAt(camera.zoom / 1.25));
    act("#zoom-fit", view.zoomToFit);
    act("#zoom-selection", view.zoomToSelection);
    act("#zoom-level", () => camera.zoomAt(1));
    act("#shortcuts-btn", () => $("#shortcuts-dialog").showModal());
    act("#shortcuts-close", () => $("#shortcuts-dialog").close());
    act("#rename-btn", async () => {
      localStorage.removeItem("samskap.name");
      const n = await askName();
      conn.name = n;
      conn.ws?.close(4000, "rename");
    });
    const facBtn = $("#facilitate-btn");
    act("#facilitate-btn", () => {
      const aside = $("#facilitate");
      aside.hidden = !aside.hidden;
      facBtn.setAttribute("aria-expanded", String(!aside.hidden));
      document.body.classList.toggle("has-facilitate", !aside.hidden);
      if (!aside.hidden) {
        facilitator.panel?.render();
        facilitator.breakouts?.load();
        $("#fac-heading").focus();
      }
      renderer.resize();
    });
    const outlineBtn = $("#outline-btn");
    act("#outline-btn", () => {
      const panel = $("#outline");
      panel.hidden = !panel.hidden;
      outlineBtn.setAttribute("aria-expanded", String(!panel.hidden));
      document.body.classList.toggle("has-outline", !panel.hidden);
      if (!panel.hidden) {
        outline.render();
        $("#outline-heading").focus();
      }
      renderer.resize();
    });
  }
}
