// Images: upload a file (picker, paste, drop) to the board, then place it.

const MAX_SIDE = 480;

export async function uploadImage(ctx, file, at) {
  if (!file || !file.type.startsWith("image/")) return;
  const res = await fetch(`/api/boards/${encodeURIComponent(ctx.boardId)}/assets`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ctx.token}`, "Content-Type": file.type },
    body: file,
  }).catch(() => null);
  if (!res || !res.ok) {
    let reason = ctx.t("error.network");
    if (res) {
      const body = await res.json().catch(() => ({}));
      reason = res.status === 413 ? ctx.t("error.image_too_large") : body.message || String(res.status);
    }
    ctx.toast(ctx.t("error.image", { reason }));
    return;
  }
  const info = await res.json();
  ctx.images.put(info.asset, file);
  const scale = Math.min(1, MAX_SIDE / Math.max(info.w || 1, info.h || 1));
  const w = Math.max(20, Math.round((info.w || 200) * scale));
  const h = Math.max(20, Math.round((info.h || 200) * scale));
  const p = at || ctx.camera.center();
  ctx.actions.create({ kind: "image", x: Math.round(p.x - w / 2), y: Math.round(p.y - h / 2), w, h, asset: info.asset, alt: file.name ? file.name.slice(0, 200) : "" });
  ctx.announce(ctx.t("announce.created", { what: ctx.t("kind.image") }));
}
