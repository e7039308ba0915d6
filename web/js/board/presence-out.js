// What this page tells others about itself, throttled: cursor, selection, the object
// being edited and the viewport (so followers can fit it into their screens).

import { throttle } from "../util.js";

export class PresenceOut {
  constructor({ conn, selection, camera, ui }) {
    /** The pointer in board units (null when it left the canvas); the pointer part sets it. */
    this.cursor = null;
    this.send = throttle(() => {
      conn.presence({
        cursor: this.cursor,
        selection: [...selection].slice(0, 1000),
        editing: ui.editingId,
        // w, h: my viewport in board units, so followers can fit it into their screens.
        view: { x: camera.x, y: camera.y, zoom: camera.zoom, w: camera.width / camera.zoom, h: camera.height / camera.zoom },
      });
    }, 60);
  }
}
