// Text layout on the canvas: wrapping, and the font size that makes a note's text fit.

const FONT = '"Noto Sans", "DejaVu Sans", system-ui, sans-serif';
const layouts = new WeakMap();
let measureCtx = null;

function ctx() {
  if (!measureCtx) measureCtx = document.createElement("canvas").getContext("2d");
  return measureCtx;
}

export const font = (size, bold = false) => `${bold ? "bold " : ""}${size}px ${FONT}`;

/** Break `text` into lines no wider than `width` at `size` px (long words are split). */
export function wrap(text, width, size, bold = false) {
  const c = ctx();
  c.font = font(size, bold);
  const lines = [];
  const split = (word) => {
    // A single word wider than the box is broken by characters.
    while (word && c.measureText(word).width > width) {
      let cut = word.length - 1;
      while (cut > 1 && c.measureText(word.slice(0, cut)).width > width) cut--;
      lines.push(word.slice(0, cut));
      word = word.slice(cut);
    }
    return word;
  };
  for (const para of text.split("\n")) {
    const words = para.split(/(\s+)/);
    let line = "";
    for (const word of words) {
      if (!word) continue;
      const next = line + word;
      if (c.measureText(next).width <= width) {
        line = next;
        continue;
      }
      if (line.trim()) lines.push(line.trimEnd());
      line = split(word.trimStart());
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

/** Width of the widest word of `text` at `size` px. */
function widestWord(text, size) {
  const c = ctx();
  c.font = font(size);
  let widest = 0;
  for (const word of text.split(/\s+/)) if (word) widest = Math.max(widest, c.measureText(word).width);
  return widest;
}

/** Layout of an object's text: {size, lines, lineHeight}; cached per object version. */
export function layout(obj, { padding = 12, maxSize = 32, minSize = 8, fixedSize = null } = {}) {
  const cached = layouts.get(obj);
  if (cached) return cached;
  const text = obj.text || "";
  const width = Math.max(1, obj.w - padding * 2);
  const height = Math.max(1, obj.h - padding * 2);
  let result;
  if (fixedSize) {
    result = { size: fixedSize, lines: wrap(text, width, fixedSize), lineHeight: fixedSize * 1.3 };
  } else {
    let size = maxSize;
    let lines = wrap(text, width, size);
    while (size > minSize && (lines.length * size * 1.3 > height || widestWord(text, size) > width)) {
      size = Math.max(minSize, Math.floor(size * 0.85));
      lines = wrap(text, width, size);
    }
    result = { size, lines, lineHeight: size * 1.3 };
  }
  layouts.set(obj, result);
  return result;
}
