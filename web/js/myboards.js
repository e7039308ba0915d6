// "My boards": the boards this browser created or opened, with their links, kept in
// localStorage only (the server never lists boards).

import { readJSON, writeJSON } from "./util.js";

const KEY = "samskap.boards";
const RANK = { facilitator: 3, participant: 2, viewer: 1 };

export function listBoards() {
  const list = readJSON(localStorage, KEY, []);
  return Array.isArray(list) ? list.filter((b) => b && typeof b.id === "string") : [];
}

function save(list) {
  writeJSON(localStorage, KEY, list.slice(0, 100));
}

/** Add or refresh a board: `links` {role: url} and/or one `link` with its `role`. */
export function rememberBoard({ id, title, role, link, links }) {
  const list = listBoards();
  let entry = list.find((b) => b.id === id);
  if (!entry) {
    entry = { id, title: "", links: {}, role: role || "participant", created: Date.now() };
    list.unshift(entry);
  }
  if (title) entry.title = title;
  entry.links = { ...entry.links, ...(links || {}) };
  if (link && role) entry.links[role] = link;
  if (role && (RANK[role] || 0) > (RANK[entry.role] || 0)) entry.role = role;
  entry.opened = Date.now();
  list.sort((a, b) => (b.opened || 0) - (a.opened || 0));
  save(list);
  return entry;
}

export function forgetBoard(id) {
  save(listBoards().filter((b) => b.id !== id));
}
