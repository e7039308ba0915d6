// Until the board page's wiring calls wireWorkshop itself: wait for its parts, then wire.
import { wireWorkshop } from "./workshop.js";

function boot() {
  const parts = window.samskap;
  if (!parts || !parts.ctx) return requestAnimationFrame(boot);
  window.samskapWorkshop = wireWorkshop(parts.ctx);
}
boot();
