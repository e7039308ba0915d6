// A link as a QR code drawn in SVG, for the projector: made by the vendored
// qrcode-generator (web/vendor/), so nothing is fetched at run time.

import qrcode from "../vendor/qrcode-generator.mjs";

const SVG = "http://www.w3.org/2000/svg";
const QUIET = 4; // modules of white around the code, as the standard asks

/** The code's modules for `text` (UTF-8, byte mode): rows of booleans, true = dark. */
export function qrMatrix(text, level = "M") {
  // The library packs one byte per character: hand it the UTF-8 bytes as characters.
  const bytes = new TextEncoder().encode(String(text));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  const code = qrcode(0, level);
  code.addData(binary, "Byte");
  code.make();
  const n = code.getModuleCount();
  const rows = [];
  for (let r = 0; r < n; r++) {
    const row = [];
    for (let c = 0; c < n; c++) row.push(code.isDark(r, c));
    rows.push(row);
  }
  return rows;
}

/** An <svg> of the code: one path of dark squares on white, crisp at any size. */
export function qrSvg(text, label) {
  const rows = qrMatrix(text);
  const size = rows.length + QUIET * 2;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("shape-rendering", "crispEdges");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.dataset.modules = String(rows.length);
  const bg = document.createElementNS(SVG, "rect");
  bg.setAttribute("width", String(size));
  bg.setAttribute("height", String(size));
  bg.setAttribute("fill", "#fff");
  let d = "";
  rows.forEach((row, r) => row.forEach((dark, c) => dark && (d += `M${c + QUIET} ${r + QUIET}h1v1h-1z`)));
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "#000");
  svg.append(bg, path);
  return svg;
}
