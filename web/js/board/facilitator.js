// The facilitator's tools, made only for a facilitator (after `welcome` says so): the
// facilitation panel, the template picker, breakout copies and moderation.

import { Breakouts } from "../facilitation/breakouts.js";
import { Moderation } from "../facilitation/moderation.js";
import { FacilitationPanel } from "../facilitation/panel.js";
import { TemplatePicker } from "../facilitation/templates.js";
import { $ } from "./page.js";

export class FacilitatorTools {
  constructor({ ctx, session }) {
    this.ctx = ctx;
    this.session = session;
    this.panel = null;
    this.picker = null;
    this.breakouts = null;
    this.moderation = null;
  }

  /** Show or hide the Facilitate button; build the tools the first time. True when just built. */
  setup(isFacilitator) {
    $("#facilitate-btn").hidden = !isFacilitator;
    if (!isFacilitator) {
      $("#facilitate").hidden = true;
      return false;
    }
    if (this.panel) return false;
    const { ctx, session } = this;
    this.panel = new FacilitationPanel(ctx, session, $("#facilitate"));
    this.picker = new TemplatePicker(ctx, session, $("#template-dialog"));
    this.breakouts = new Breakouts(ctx, () => this.panel.frameInView());
    this.moderation = new Moderation(ctx, session);
    $("#fac-insert").addEventListener("click", () => this.picker.open());
    this.panel.render();
    return true;
  }
}
