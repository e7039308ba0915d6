// A row of colour swatches (note colours, ink, the selection toolbar's colours).

import { t } from "../i18n.js";
import { h } from "../util.js";

/** Fill `root` with one pressed-state button per `[key, hex]`; `current()` is pressed. */
export function palette(root, colors, onPick, current) {
  root.replaceChildren(
    ...colors.map(([key, hex]) => {
      const b = h("button", { type: "button", class: "swatch", "aria-label": t(`color.${key}`), title: t(`color.${key}`), "aria-pressed": String(hex === current()) });
      b.style.backgroundColor = hex;
      b.addEventListener("click", () => {
        onPick(hex);
        for (const o of root.children) o.setAttribute("aria-pressed", String(o === b));
      });
      return b;
    }),
  );
}
