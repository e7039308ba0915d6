// The board object model as the server defines it: defaults per kind (so an optimistic
// create looks exactly like what the server stores), from model.generated.js, which is
// generated from server/domain/objects.py and pinned by a test. The palettes are the
// page's own.

import { BOX_KINDS as BOX_KIND_LIST, DEFAULTS, TEXT_FIELD as TEXT_FIELDS } from "./model.generated.js";

/** Per kind: field -> default, for the fields a create may leave out. */
export const SCHEMAS = DEFAULTS;
export const BOX_KINDS = new Set(BOX_KIND_LIST);
/** Per kind: the field its words live in (what double-click and Enter edit). */
export const TEXT_FIELD = TEXT_FIELDS;

export function withDefaults(obj) {
  const schema = SCHEMAS[obj.kind] || {};
  const out = { ...schema, ...obj };
  if (typeof out.color === "string") out.color = out.color.toLowerCase();
  if (typeof out.stroke === "string") out.stroke = out.stroke.toLowerCase();
  return out;
}

/** Keep only the fields a kind has (for pasting objects from elsewhere). */
export function cleanObject(obj) {
  const schema = SCHEMAS[obj.kind];
  if (!schema) return null;
  const out = { id: obj.id, kind: obj.kind, x: obj.x, y: obj.y };
  const allowed = new Set([...Object.keys(schema), "from", "to", "points", "asset"]);
  for (const [k, v] of Object.entries(obj)) {
    if (allowed.has(k) && v !== null && v !== undefined) out[k] = v;
  }
  return out;
}

export const NOTE_COLORS = [
  ["yellow", "#fff59d"],
  ["orange", "#ffcc80"],
  ["pink", "#f8bbd0"],
  ["purple", "#d1c4e9"],
  ["blue", "#b3e5fc"],
  ["green", "#c5e1a5"],
  ["grey", "#e0e0e0"],
  ["white", "#ffffff"],
];

export const INK_COLORS = [
  ["black", "#1f2937"],
  ["red", "#c62828"],
  ["blue_ink", "#1565c0"],
  ["green_ink", "#2e7d32"],
  ["purple_ink", "#6a1b9a"],
  ["orange_ink", "#b45309"],
];

export const FRAME_COLORS = [
  ["grey", "#f3f4f6"],
  ["yellow", "#fefce8"],
  ["blue", "#eff6ff"],
  ["green", "#f0fdf4"],
  ["pink", "#fdf2f8"],
  ["white", "#ffffff"],
];
