// The services every part of the page may use, built once in board.js before any part.
//
// Parts written before the split (tools, editor, presence, the facilitation views) take a
// `ctx` object. It is built here complete: every field exists when the first part is
// made. A part that needs another part (the editor, the people list) gets it explicitly
// with `extend(ctx, { … })` at the moment it is constructed, never by a field filled in
// later. Two fields change while the page runs, as state rather than parts: `you` (the
// seat from `welcome`, null before) and `token` (replaced by a `link` message, M6).

import { connectorEnds } from "../geometry.js";
import { t } from "../i18n.js";

/**
 * The shared services: connection and store, camera and selection, the renderer, the
 * undoable actions, picking, and the page's notices. `ui` is the renderer's view state.
 */
export function boardContext({ boardId, token, store, conn, session, camera, selection, undo, actions, renderer, images, ui, canvas, view, notices, sendPresence }) {
  const lookup = (id) => store.get(id);
  return {
    boardId,
    token,
    you: null,
    store,
    conn,
    session,
    camera,
    selection,
    undo,
    actions,
    renderer,
    images,
    ui,
    canvas,
    lookup,
    t,
    get readOnly() {
      return ui.readOnly;
    },
    connectorEnds: (obj) => connectorEnds(obj, lookup),
    pick: view.pick,
    frameAt: view.frameAt,
    showObject: view.showObject,
    view, // placing things in the free area, readable first (board/view.js)
    announce: notices.announce,
    toast: notices.toast,
    sendPresence,
  };
}

/** `ctx` plus the parts one part needs; reads of everything else (and of `you`) go to `ctx`. */
export function extend(ctx, parts) {
  return Object.create(ctx, Object.getOwnPropertyDescriptors(parts));
}
