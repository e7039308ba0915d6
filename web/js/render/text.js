// Text layout on the canvas, with the same rules as the server's exports
// (server/domain/render/text.py and layout.py): word widths measured once per em and
// scaled, greedy wrapping on spaces and tabs, line height 1.3, note text shrunk in
// 0.5 px steps down to 6 px, and cut with "…" when it still does not fit.

const FONT = '"Noto Sans", "DejaVu Sans", "Noto Color Emoji", system-ui, sans-serif';
export const LINE_HEIGHT = 1.3;
// Top of a line box to its baseline, in em: CSS half-leading over Noto Sans'
// ascent (1.069) and descent (0.293), as `baseline_offset` computes it on the server.
export const BASELINE = (LINE_HEIGHT - 1.069 - 0.293) / 2 + 1.069;
export const MIN_SIZE = 6;
const EM = 100; // words are measured at 100 px and scaled
const SPACES = /[ \t\u00a0]+/;

let measureCtx = null;
let widths = new Map();
let generation = 0;
const layouts = new WeakMap();

function ctx() {
  if (!measureCtx) measureCtx = document.createElement("canvas").getContext("2d");
  return measureCtx;
}

export const font = (size, bold = false) => `${bold ? "bold " : ""}${size}px ${FONT}`;

/**
 * Resolve when the shipped fonts are loaded; measurements taken before that are thrown
 * away (text measured with a fallback font would wrap differently from the export).
 */
export async function loadFonts() {
  if (!document.fonts || !document.fonts.load) return;
  try {
    await Promise.all([document.fonts.load(font(16)), document.fonts.load(font(16, true))]);
  } catch {
    return;
  }
  widths = new Map();
  generation++;
}

/** Width of one em of `text` (one line, no newlines). */
function em(text, bold) {
  const key = (bold ? "b" : "r") + text;
  let w = widths.get(key);
  if (w === undefined) {
    const c = ctx();
    c.font = font(EM, bold);
    w = c.measureText(text).width / EM;
    if (widths.size > 50000) widths = new Map();
    widths.set(key, w);
  }
  return w;
}

/** Width of one line of text in px. */
export const textWidth = (text, size, bold = false) => em(text, bold) * size;

const segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
const clusters = (word) => (segmenter ? [...segmenter.segment(word)].map((s) => s.segment) : Array.from(word));

/** Cut a word wider than the line into pieces that fit, never inside a cluster. */
function breakWord(word, size, max, bold) {
  const pieces = [];
  let current = "";
  for (const cl of clusters(word)) {
    if (current && textWidth(current + cl, size, bold) > max) {
      pieces.push(current);
      current = cl;
    } else current += cl;
  }
  if (current) pieces.push(current);
  return pieces;
}

/** Greedy word wrap; keeps explicit newlines, breaks over-long words (as the export). */
export function wrapText(text, size, maxWidth, bold = false) {
  const lines = [];
  const space = textWidth(" ", size, bold);
  for (const para of String(text).replace(/\r\n?/g, "\n").split("\n")) {
    let line = "";
    let width = 0;
    for (let word of para.split(SPACES)) {
      if (!word) continue;
      let ww = textWidth(word, size, bold);
      if (line && width + space + ww <= maxWidth) {
        line = `${line} ${word}`;
        width += space + ww;
        continue;
      }
      if (line) lines.push(line);
      if (ww > maxWidth) {
        const pieces = breakWord(word, size, maxWidth, bold);
        word = pieces.pop();
        lines.push(...pieces);
        ww = textWidth(word, size, bold);
      }
      line = word;
      width = ww;
    }
    lines.push(line);
  }
  return lines;
}

/** Does `text` wrapped to `width` fit in `height` without breaking a word? */
export function fits(text, size, width, height, bold = false) {
  if (wrapText(text, size, width, bold).length * size * LINE_HEIGHT > height) return false;
  return String(text)
    .split(/\s+/)
    .every((w) => !w || textWidth(w, size, bold) <= width);
}

/** The largest size (in 0.5 px steps, down to 6 px) at which `text` fits the box. */
export function fitFontSize(text, width, height, maxSize, minSize = MIN_SIZE) {
  if (fits(text, maxSize, width, height)) return maxSize;
  let lo = 0;
  let hi = Math.floor((maxSize - minSize) * 2);
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (fits(text, minSize + mid / 2, width, height)) lo = mid;
    else hi = mid - 1;
  }
  return minSize + lo / 2;
}

/** Shrink text to fit a box like a sticky note; cut with "…" if it still cannot: {lines, size}. */
export function fitted(text, w, h, maxSize) {
  if (!String(text).trim() || w <= 4 || h <= 4) return { lines: [], size: maxSize };
  const size = fitFontSize(text, w, h, maxSize);
  let lines = wrapText(text, size, w);
  const room = Math.max(1, Math.floor(h / (size * LINE_HEIGHT)));
  if (lines.length > room) {
    lines = lines.slice(0, room);
    lines[room - 1] = `${lines[room - 1].trimEnd()}…`;
  }
  return { lines, size };
}

export const NOTE_PAD = 14;
export const TAG_SIZE = 13;
export const TAG_BAND = TAG_SIZE + 6; // a note's tag has its own line at the bottom

/** Is this a template zone (its name sits in a band at the top, not in the middle)? */
export const isZone = (obj) => obj.kind === "shape" && obj.locked && (obj.shape || "rectangle") === "rectangle" && obj.h > 160;

/** Is this object's text laid out already (textLayout would not compute anything)? */
export const hasLayout = (obj) => layouts.get(obj)?.generation === generation;

/** The box an object's text is laid out in: [x, y, w, h] (see textLayout). */
export function textBox(obj) {
  const { x, y, w, h } = obj;
  if (obj.kind === "note") return [x + NOTE_PAD, y + NOTE_PAD, w - 2 * NOTE_PAD, h - 2 * NOTE_PAD - (obj.tag ? TAG_BAND : 0)];
  if (isZone(obj)) return [x + 12, y + 10, w - 24, 60];
  if (obj.kind === "shape") {
    const shape = obj.shape || "rectangle";
    if (shape === "ellipse") return [x + w * 0.15, y + h * 0.15, w * 0.7, h * 0.7];
    if (shape === "diamond") return [x + w * 0.25, y + h * 0.25, w * 0.5, h * 0.5];
    return [x + 10, y + 10, w - 20, h - 20];
  }
  return [x, y, w, h];
}

/** The largest font size textLayout can give this object's text (a bound, cheap). */
export function maxTextSize(obj) {
  if (obj.kind === "note") return Math.min(32, Math.max(8, obj.h / 5));
  if (obj.kind === "text") return obj.font_size || 24;
  if (obj.kind === "shape") return 22;
  return 16;
}

/**
 * Where an object's text goes and how it is laid out, as the export does it:
 * {box: [x, y, w, h], lines, size, bold, align, valign}. Cached per object version.
 */
export function textLayout(obj) {
  const cached = layouts.get(obj);
  if (cached && cached.generation === generation) return cached;
  const text = obj.text || "";
  const box = textBox(obj);
  let out;
  if (obj.kind === "note") {
    const { lines, size } = fitted(text, box[2], box[3], maxTextSize(obj));
    out = { box, lines, size, bold: false, align: "center", valign: "middle" };
  } else if (obj.kind === "text") {
    const size = obj.font_size || 24;
    out = { box, lines: wrapText(text, size, Math.max(obj.w, 1)), size, bold: false, align: obj.align || "left", valign: "top" };
  } else if (isZone(obj)) {
    // A template zone: its name in a 60 px band at the top, so notes in it do not hide it.
    const { lines, size } = fitted(text, box[2], box[3], 22);
    out = { box, lines, size, bold: true, align: "center", valign: "top" };
  } else if (obj.kind === "shape") {
    const { lines, size } = fitted(text, box[2], box[3], 22);
    out = { box, lines, size, bold: false, align: "center", valign: "middle" };
  } else {
    out = { box, lines: [], size: 16, bold: false, align: "left", valign: "top" };
  }
  out.widths = out.lines.map((line) => textWidth(line, out.size, out.bold));
  out.generation = generation;
  layouts.set(obj, out);
  return out;
}

const labels = new Map();

/** A connector's label: 14 px, wrapped at 160 px, on a white chip (cached per text). */
export function labelLayout(text) {
  const key = `${generation}\u0000${text}`;
  let L = labels.get(key);
  if (!L) {
    if (labels.size > 5000) labels.clear();
    L = labelLayoutUncached(text);
    labels.set(key, L);
  }
  return L;
}

function labelLayoutUncached(text) {
  const lines = wrapText(text, 14, 160);
  const w = Math.max(...lines.map((s) => textWidth(s, 14))) + 10;
  const h = 14 * LINE_HEIGHT * lines.length + 4;
  return { lines, w, h, size: 14, widths: lines.map((s) => textWidth(s, 14)) };
}
