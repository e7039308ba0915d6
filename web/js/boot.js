// The board page's first script. board.js and its ~70 modules take a while to load
// (about 1 s on a loaded machine, docs/performance.md); this script needs only the
// connection, the store and i18n.js (8 modules), so the socket opens and the server
// builds and sends the welcome (and the language files come) while the rest loads. What the socket says is held
// (Connection.hold) until board.js has built the parts that listen, then released.
//
// board.html loads this first (async; every module preloaded, these first); board.js
// imports it too (the same module) and takes the early connection with claimEarly().
// `window.samskapOpen` is for the bench's A/B only (bench/open_breakdown.py): "boot"
// (the default), "main" (open at the start of board.js) or "late" (open after the page
// is built, as before).

import "./storage.js"; // first: a stand-in where the browser blocks storage
import { prefetchI18n } from "./i18n.js";
import { Connection } from "./protocol.js";
import { Store } from "./store.js";

let early = null;

/** The link token from the address fragment (`#t=…`), as board/page.js reads it. */
const token = () => new URLSearchParams(location.hash.slice(1)).get("t") || "";

/**
 * Open the board's socket now, holding what it says, if the page has what the join
 * needs (a token and a name already given); null otherwise (board.js asks the name).
 */
export function openEarly() {
  if (early) return early;
  // An async script may run before <body> is parsed: the id is also in the address.
  const path = location.pathname.match(/^\/b\/([^/]+)$/);
  const boardId = document.body?.dataset.boardId || (path && decodeURIComponent(path[1]));
  const name = localStorage.getItem("samskap.name");
  if (!boardId || !token() || !name) return null;
  const store = new Store();
  const conn = new Connection({ boardId, token: token(), name, store });
  conn.hold();
  conn.connect();
  early = { store, conn };
  return early;
}

/** For board.js: the connection boot opened ({store, conn}, held), or null. */
export const claimEarly = () => early;

/**
 * Ask for board.js's modules all at once (the page lists them: server/http/modules.py),
 * after the socket, so the join goes out first; without the list the browser finds
 * them one import level at a time.
 */
function preloadPage() {
  const meta = document.querySelector('meta[name="samskap-modules"]');
  const base = new URL("..", import.meta.url); // the static root (this is js/boot.js)
  for (const path of (meta ? meta.content : "").split(" ").filter(Boolean)) {
    const link = document.createElement("link");
    link.rel = "modulepreload";
    link.href = new URL(path, base).href;
    document.head.append(link);
  }
}

performance.mark("samskap:boot");
if ((window.samskapOpen || "boot") === "boot") openEarly();
prefetchI18n(); // the language files, which board.js needs first, after the join
preloadPage();
