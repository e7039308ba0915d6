// Until the board page's wiring calls wireWorkshop itself: wire the moment board.js
// hands out its parts (`window.samskap = …`, just before it connects), so no message
// of the first connection is missed.
import { wireWorkshop } from "./workshop.js";

if (window.samskap && window.samskap.ctx) {
  window.samskapWorkshop = wireWorkshop(window.samskap.ctx);
} else {
  let parts;
  Object.defineProperty(window, "samskap", {
    configurable: true,
    get: () => parts,
    set(value) {
      parts = value;
      if (value && value.ctx && !window.samskapWorkshop) window.samskapWorkshop = wireWorkshop(value.ctx);
    },
  });
}
