// web/js/cliptext.js: what a copy puts beside the board's own format, for chats and documents.
import assert from "node:assert/strict";
import { test } from "node:test";
import { clipHtml, clipLines, clipPlain, fillClipboard, CLIP_MIME } from "../../web/js/cliptext.js";

const objs = [
  { id: "b", kind: "note", x: 300, y: 0, text: "Biblioteket  " },
  { id: "a", kind: "note", x: 0, y: 0, text: "Frivillige" },
  { id: "f", kind: "frame", x: 0, y: -200, title: "Nøkkelaktører" },
  { id: "c", kind: "connector", from: "a", to: "b" },
  { id: "s", kind: "shape", x: 0, y: 400, text: "" },
  { id: "x", kind: "text", x: 0, y: 500, text: "<b>Kari & Ola</b>\nlinje to" },
];

test("the words come in reading order, empty objects and connectors left out", () => {
  assert.deepEqual(clipLines(objs), ["Nøkkelaktører", "Frivillige", "Biblioteket", "<b>Kari & Ola</b>\nlinje to"]);
  assert.equal(clipPlain(objs.slice(0, 2)), "Frivillige\n\nBiblioteket");
});

test("the HTML escapes typed text: markup stays words", () => {
  const html = clipHtml(objs);
  assert.ok(html.includes("<li>&lt;b&gt;Kari &amp; Ola&lt;/b&gt;<br>linje to</li>"), html);
  assert.ok(!html.includes("<b>"));
  assert.equal(clipHtml([{ id: "s", kind: "shape", x: 0, y: 0 }]), "");
});

test("a copy fills the board's own type and the words, never JSON as plain text", () => {
  const data = new Map();
  fillClipboard({ setData: (k, v) => data.set(k, v) }, '{"type":"samskap"}', objs.slice(0, 2));
  assert.equal(data.get(CLIP_MIME), '{"type":"samskap"}');
  assert.equal(data.get("text/plain"), "Frivillige\n\nBiblioteket");
  assert.equal(data.get("text/html"), "<ul><li>Frivillige</li><li>Biblioteket</li></ul>");
});
