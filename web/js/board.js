// The board page's composition root: it builds the parts in order, each from what is
// already built, and connects them. Each part lives in its own module under board/
// (page, view, tools, pointer, keyboard, clipboard, selection bar, panels, seat) or
// next to it (store, protocol, render, editor, presence, outline, facilitation).
// Order: the socket first (boot.js opened it before these modules loaded, holding what
// it says), then connection and store, camera, renderer, shared services, people and
// editor, the workshop views, tools and pointer, keyboard, clipboard, panels; then
// `release()` (or `connect()` when the name had to be asked first).

import "./storage.js"; // first: a stand-in where the browser blocks storage
import { claimEarly, openEarly } from "./boot.js";
import { Actions } from "./actions.js";
import { Camera } from "./camera.js";
import { Editor } from "./editor.js";
import { ExportMenu } from "./export.js";
import { makeDecorator } from "./facilitation/marks.js";
import { applyDom, bindLangSelect, initI18n, t } from "./i18n.js";
import { Outline } from "./outline.js";
import { Presence } from "./presence.js";
import { Connection } from "./protocol.js";
import { Renderer } from "./render/canvas.js";
import { ImageCache } from "./render/images.js";
import { loadFonts } from "./render/text.js";
import { INK_COLORS, NOTE_COLORS } from "./schema.js";
import { Selection } from "./selection.js";
import { SessionState } from "./session.js";
import { Store } from "./store.js";
import { UndoStack } from "./undo.js";
import { watchVersion } from "./version.js";
import { Access } from "./board/access.js";
import { Clipboard } from "./board/clipboard.js";
import { boardContext, extend } from "./board/context.js";
import { FacilitatorTools } from "./board/facilitator.js";
import { History } from "./board/history.js";
import { Keyboard } from "./board/keyboard.js";
import { ActionsMenu } from "./board/menu.js";
import { $, askName, Notices, showFatal, tokenFromHash } from "./board/page.js";
import { Panels } from "./board/panels.js";
import { PointerInput } from "./board/pointer.js";
import { PresenceOut } from "./board/presence-out.js";
import { Seat } from "./board/seat.js";
import { SelectionBar } from "./board/selbar.js";
import { ConnectionStatus } from "./board/status.js";
import { Toolbox } from "./board/toolbox.js";
import { View } from "./board/view.js";
import { WorkshopViews } from "./board/workshop.js";
import { wireWorkshop } from "./workshop.js";

async function main() {
  performance.mark("samskap:modules");
  // The socket first: the welcome is built, sent and parsed while the page is built.
  const early = claimEarly() || (window.samskapOpen === "late" ? null : openEarly());
  await initI18n();
  performance.mark("samskap:i18n");
  bindLangSelect($("#lang-select"));
  const boardId = document.body.dataset.boardId;
  const token = tokenFromHash();
  if (!token) return showFatal("error.no_token");
  const name = early ? early.conn.name : localStorage.getItem("samskap.name") || (await askName());
  const canvas = $("#board-canvas");
  const stage = $("#stage");
  const overlay = $("#overlay");
  const notices = new Notices({ announcer: $("#announcer"), toast: $("#toast") });

  // 1. Connection and store: the board's state, the socket, the session, undo.
  const store = early ? early.store : new Store();
  const conn = early ? early.conn : new Connection({ boardId, token, name, store });
  watchVersion(conn, { banner: $("#banner-version") });
  const session = new SessionState(conn, boardId);
  conn.beforeSend = (ops) => {
    if (!session.writesPrivately) return;
    for (const op of ops) if (op.op === "create") session.notePrivate(op.object.id);
  };
  const undo = new UndoStack(store, (ops) => conn.send(ops));

  // 2. Camera and selection, and the view state the renderer draws from.
  const camera = new Camera();
  const selection = new Selection();
  const ui = {
    get selection() {
      return selection.ids;
    },
    marquee: null,
    draft: null,
    editingId: null,
    erasing: null,
    hoverTarget: null,
    remoteSelected: new Map(),
    noteColor: localStorage.getItem("samskap.noteColor") || NOTE_COLORS[0][1],
    inkColor: INK_COLORS[0][1],
    readOnly: true,
  };
  const view = new View({ store, camera, selection, canvas });

  // 3. Renderer: one canvas; the session's marks (private notes, votes) are drawn on it.
  const images = new ImageCache(boardId, token);
  const renderer = new Renderer(canvas, store, camera, images, ui);
  renderer.decorate = makeDecorator(session);
  // Text is measured with the shipped fonts once they are in (as the export measures it).
  loadFonts().then(() => renderer.invalidate());

  // 4. The shared services every part may use (complete before any part is built).
  const actions = new Actions({ store, conn, selection, undo, camera, boardId, announce: (key, vars) => notices.announce(t(key, vars)) });
  const presenceOut = new PresenceOut({ conn, selection, camera, ui });
  const ctx = boardContext({ boardId, token, store, conn, session, camera, selection, undo, actions, renderer, images, ui, canvas, view, notices, sendPresence: presenceOut.send });

  // 5. People and the text editor (which waits while someone else edits an object).
  const facilitator = new FacilitatorTools({ ctx, session });
  const presence = new Presence(
    extend(ctx, {
      get moderation() {
        return facilitator.moderation;
      },
    }),
    { layer: overlay, list: $("#people-list"), count: $("#people-count") },
  );
  const editingBy = (id) => presence.editingBy(id);
  const editor = new Editor(extend(ctx, { editingBy }), overlay);

  // 6. The workshop views: timer, banners, follow, step, results, voting.
  const workshop = new WorkshopViews({ ctx, session, presence });
  const { voting } = workshop;

  // 7. Tools, the selection toolbar, undo/redo and pointer input.
  const toolbox = new Toolbox({ ctx, editor });
  const selbar = new SelectionBar({ ctx, editor, stage });
  const history = new History({ undo, actions, announce: notices.announce });
  const pointer = new PointerInput({ ctx, toolbox, editor, voting, presenceOut });
  new ActionsMenu({ ctx, selbar, stage }); // right-click, Shift+F10, long press

  // 8. Keyboard and 9. clipboard (paste, drop, the image picker).
  new Keyboard({ ctx, toolbox, pointer, editor, voting, selbar, history, view });
  new Clipboard({ ctx, presenceOut, pointer, stage });

  // 10. Panels: outline, facilitator tools, export, the top bar; access and status.
  const outline = new Outline(extend(ctx, { editingBy, voting }), $("#outline-body"));
  const exportMenu = new ExportMenu(ctx, $("#export-menu"));
  new Panels({ ctx, view, outline, facilitator, askName });
  const access = new Access({ ctx, session, workshop, editor, toolbox, selbar });
  const status = new ConnectionStatus({ ctx, session });
  const seat = new Seat({ ctx, presence, workshop, facilitator, exportMenu, access, outline, view, status });
  // Sharing, popovers that behave, hidden-note counts (issue 19).
  const extras = wireWorkshop(ctx);

  // --- how the parts follow each other ---------------------------------------------------
  session.addEventListener("change", () => {
    access.apply();
    renderer.invalidate();
    outline.refresh();
  });
  session.addEventListener("votes", () => {
    renderer.invalidate();
    outline.refresh();
  });
  renderer.onRender = () => {
    if (!window.samskap.firstRender && store.loaded && seat.welcomed) {
      window.samskap.firstRender = performance.now();
      performance.mark("samskap:first-draw");
    }
    presence.place();
    editor.position();
    $("#zoom-level").textContent = `${Math.round(camera.zoom * 100)} %`;
    selbar.place();
  };
  camera.addEventListener("change", () => {
    renderer.request();
    presenceOut.send();
  });
  new ResizeObserver(() => renderer.resize()).observe(stage);
  store.addEventListener("change", () => {
    selection.prune(store);
    renderer.request();
    outline.refresh();
    selbar.boardChanged();
  });
  selection.addEventListener("change", () => {
    renderer.request();
    presenceOut.send();
    selbar.update();
  });
  presence.addEventListener("change", () => outline.refresh());
  document.addEventListener("langchange", () => {
    applyDom();
    toolbox.buildPalettes();
    selbar.update();
    presence.changed();
    outline.render();
    status.show();
    access.apply();
    facilitator.panel?.render();
    exportMenu.describe();
  });

  // For tests and the bench: a read-only handle on the parts.
  const zoomToFit = view.zoomToFit;
  window.samskap = { store, conn, camera, selection, actions, undo, renderer, presence, editor, ctx, view, zoomToFit, session, follow: workshop.follow, voting, extras };

  toolbox.setTool("select");
  renderer.resize();
  status.show();
  performance.mark("samskap:built");
  if (early) conn.release();
  else conn.connect();
}

main();
