// What a copy puts on the system clipboard beside the board's own format: the words of
// the selection as plain text and as HTML, so pasting into a meeting chat, an e-mail or a
// document shows the notes' text, never JSON (issue 19).

/** The board's own clipboard type: objects as JSON, read back by a paste on any board. */
export const CLIP_MIME = "application/x-samskap+json";

/** The words of one object: a note's, text's or shape's text, a frame's title. */
function wordsOf(obj) {
  const words = obj.kind === "frame" ? obj.title : obj.text;
  return typeof words === "string" ? words.trim() : "";
}

/** The selection's words in reading order (top to bottom, then left to right). */
export function clipLines(objects) {
  return [...objects]
    .filter((o) => o.kind !== "connector")
    .sort((a, b) => (a.y ?? 0) - (b.y ?? 0) || (a.x ?? 0) - (b.x ?? 0))
    .map(wordsOf)
    .filter(Boolean);
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** Plain text: one object per paragraph. */
export function clipPlain(objects) {
  return clipLines(objects).join("\n\n");
}

/** HTML: a list of the objects' words, each escaped (typed text is data, never markup). */
export function clipHtml(objects) {
  const items = clipLines(objects).map((line) => `<li>${escapeHtml(line).replace(/\n/g, "<br>")}</li>`);
  return items.length ? `<ul>${items.join("")}</ul>` : "";
}

/** Fill a copy or cut event's clipboard: the board's format plus the words. */
export function fillClipboard(data, serialised, objects) {
  data.setData(CLIP_MIME, serialised);
  data.setData("text/plain", clipPlain(objects));
  const html = clipHtml(objects);
  if (html) data.setData("text/html", html);
}
