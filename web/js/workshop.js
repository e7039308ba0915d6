// The workshop's last metre on the board page: popovers that behave and sharing from
// the board. Wired once the board's parts exist (`ctx` as board.js builds it).

import { HiddenCount } from "./facilitation/hidden.js";
import { Popovers } from "./popover.js";
import { ShareDialog } from "./share.js";

/** Wire the popovers (people list, export menu, share dialog) and the share button. */
export function wireWorkshop(ctx, doc = document) {
  const popovers = new Popovers(doc);
  for (const menu of doc.querySelectorAll("details.people, details#export-menu")) popovers.addMenu(menu);
  const titleEl = doc.querySelector("#board-title");
  const share = new ShareDialog(ctx, popovers, {
    button: doc.querySelector("#share-btn"),
    dialog: doc.querySelector("#share-dialog"),
    title: () => titleEl.textContent.trim(),
  });
  const hidden = new HiddenCount(ctx, ctx.session, doc.querySelector("#fac-hidden"));
  return { popovers, share, hidden };
}
