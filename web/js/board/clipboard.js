// Copy, cut and paste (objects in the board's own clipboard type with their words beside
// it as plain text and HTML; pasted plain text becomes a note, images uploads; images from
// another board copied over first), dropping image files on the board, and the image
// picker's files.

import { Actions } from "../actions.js";
import { copyAssets } from "../assetcopy.js";
import { CLIP_MIME, fillClipboard } from "../cliptext.js";
import { t } from "../i18n.js";
import { TEXT_LIMITS } from "../model.generated.js";
import { uploadImage } from "../tools/image.js";
import { isTextInput } from "../util.js";
import { $ } from "./page.js";

export class Clipboard {
  /** `presenceOut.cursor`: where a paste lands; `pointer.toBoard`: where a drop lands. */
  constructor({ ctx, presenceOut, pointer, stage }) {
    const { actions, selection, ui, camera } = ctx;
    const clipTarget = (e) => !isTextInput(e.target) && !$("#name-dialog").open;
    document.addEventListener("copy", (e) => {
      if (!clipTarget(e) || !selection.size) return;
      fillClipboard(e.clipboardData, actions.copy(), Actions.parseClip(actions.clipboard));
      e.preventDefault();
      ctx.announce(t("announce.copied", { n: selection.size }));
    });
    document.addEventListener("cut", (e) => {
      if (!clipTarget(e) || !selection.size || ui.readOnly) return;
      fillClipboard(e.clipboardData, actions.copy(), Actions.parseClip(actions.clipboard));
      e.preventDefault();
      actions.deleteSelection();
    });
    document.addEventListener("paste", (e) => {
      if (!clipTarget(e) || ui.readOnly) return;
      const at = presenceOut.cursor ? { ...presenceOut.cursor } : camera.center();
      e.preventDefault();
      this.paste(ctx, e.clipboardData, at);
    });
    stage.addEventListener("dragover", (e) => {
      if (ui.readOnly) return;
      e.preventDefault();
      stage.classList.add("is-drop");
    });
    stage.addEventListener("dragleave", () => stage.classList.remove("is-drop"));
    stage.addEventListener("drop", (e) => {
      stage.classList.remove("is-drop");
      if (ui.readOnly) return;
      e.preventDefault();
      const p = pointer.toBoard(e);
      [...(e.dataTransfer?.files || [])].filter((f) => f.type.startsWith("image/")).forEach((f, i) => uploadImage(ctx, f, { x: p.x + i * 30, y: p.y + i * 30 }));
    });
    $("#image-input").addEventListener("change", (e) => {
      const files = [...e.target.files];
      e.target.value = "";
      files.forEach((f, i) => {
        const c = camera.center();
        uploadImage(ctx, f, { x: c.x + i * 30, y: c.y + i * 30 });
      });
    });
  }

  /** Paste `data` at board point `at`: images, objects copied from a board, or text. */
  paste(ctx, data, at) {
    const { actions, boardId, ui } = ctx;
    const files = [...(data?.files || [])].filter((f) => f.type.startsWith("image/"));
    if (files.length) {
      for (const f of files) uploadImage(ctx, f, at);
      return;
    }
    const own = data?.getData(CLIP_MIME) || "";
    const text = data?.getData("text/plain") || "";
    // The board's own type first; plain text holding our JSON still pastes as objects.
    const clip = Actions.parseClip(own) ? own : text;
    const objects = Actions.parseClip(clip);
    const from = objects ? Actions.clipBoard(clip) : null;
    if (objects && from && from !== boardId && objects.some((o) => o.kind === "image")) {
      // Images from another board are copied over first, then pasted.
      copyAssets(ctx, from, objects).then((ok) => {
        if (!ok) ctx.toast(t("error.image_copy"));
        actions.paste(objects);
      });
    } else if (objects) actions.paste(objects);
    else if (text.trim()) actions.create({ kind: "note", x: Math.round(at.x - 100), y: Math.round(at.y - 100), text: text.slice(0, TEXT_LIMITS.text), color: ui.noteColor });
    else if (actions.clipboard) actions.paste(Actions.parseClip(actions.clipboard));
  }
}
