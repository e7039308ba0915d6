// The board object model as the server defines it (server/domain/objects.py):
// defaults per kind, so an optimistic create looks exactly like what the server stores.

const COMMON = { rotation: 0, z: 0, locked: false };

export const SCHEMAS = {
  note: { ...COMMON, w: 200, h: 200, color: "#fff59d", text: "", tag: "" },
  text: { ...COMMON, w: 240, h: 60, color: "#1f2937", text: "", font_size: 24, align: "left" },
  shape: { ...COMMON, w: 200, h: 120, shape: "rectangle", color: "#ffffff", stroke: "#1f2937", text: "" },
  connector: { ...COMMON, color: "#1f2937", arrow: "end", dashed: false, text: "" },
  path: { ...COMMON, color: "#1f2937", width: 3 },
  image: { ...COMMON, w: 200, h: 200, alt: "" },
  frame: { ...COMMON, w: 800, h: 600, color: "#f3f4f6", title: "" },
};

export const BOX_KINDS = new Set(["note", "text", "shape", "image", "frame"]);
export const TEXT_FIELD = { note: "text", text: "text", shape: "text", connector: "text", frame: "title" };

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
