// Images pasted from another board: the image belongs to that board, so it is copied
// over first (`POST /api/boards/{id}/assets/copy`), with a link to the source board
// that this browser already has ("my boards"). Link tokens never go on the clipboard.

import { listBoards } from "./myboards.js";

const RANK = ["viewer", "participant", "facilitator"];

function tokenFor(boardId) {
  const entry = listBoards().find((b) => b.id === boardId);
  if (!entry) return null;
  for (const role of RANK) {
    const link = entry.links && entry.links[role];
    if (typeof link === "string" && link.includes("#t=")) return link.split("#t=")[1];
  }
  return null;
}

/** Copy the images of `objects` from board `from`; returns true when all arrived. */
export async function copyAssets(ctx, from, objects) {
  const assets = [...new Set(objects.filter((o) => o.kind === "image" && o.asset).map((o) => o.asset))];
  if (!assets.length || !from || from === ctx.boardId) return true;
  const token = tokenFor(from);
  if (!token) return false;
  const results = await Promise.all(
    assets.map((asset) =>
      fetch(`/api/boards/${encodeURIComponent(ctx.boardId)}/assets/copy`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ctx.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ board: from, token, asset }),
      })
        .then((res) => res.ok)
        .catch(() => false),
    ),
  );
  return results.every(Boolean);
}
