// Text layout on the canvas: wrapping, and the font size that makes a note's text fit.

const FONT = '"Noto Sans", "DejaVu Sans", system-ui, sans-serif';
const layouts = new WeakMap();
let measureCtx = null;

function ctx() {
  if (!measureCtx) measureCtx = document.createElement("canvas").getContext("2d");
  return measureCtx;
}

export const font = (size, bold = false) => `${bold ? "bold " : ""}${size}px ${FONT}`;

/** Break `text` into lines no wider than `width` at `size` px. */
export function wrap(text, width, size, bold = false) {
  const c = ctx();
  c.font = font(size, bold);
  const lines = [];
  for (const para of text.split("\n")) {
    const words = para.split(/(\s+)/);
    let line = "";
    for (const word of words) {
      const next = line + word;
      if (!line || c.measureText(next).width <= width) {
        line = next;
        continue;
      }
      lines.push(line.trimEnd());
      line = word.trimStart();
      // A single word wider than the box is broken by characters.
      while (line && c.measureText(line).width > width) {
        let cut = line.length - 1;
        while (cut > 1 && c.measureText(line.slice(0, cut)).width > width) cut--;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
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
    while (size > minSize && lines.length * size * 1.3 > height) {
      size = Math.max(minSize, Math.floor(size * 0.85));
      lines = wrap(text, width, size);
    }
    result = { size, lines, lineHeight: size * 1.3 };
  }
  layouts.set(obj, result);
  return result;
}
