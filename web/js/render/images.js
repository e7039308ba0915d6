// Board images: fetched with the link token in a header (never in the URL), kept as bitmaps.

export class ImageCache extends EventTarget {
  constructor(boardId, token) {
    super();
    this.boardId = boardId;
    this.token = token;
    this.entries = new Map(); // asset -> {state: loading|ready|error, bitmap, url}
  }

  get(asset) {
    let entry = this.entries.get(asset);
    if (!entry) {
      entry = { state: "loading", bitmap: null };
      this.entries.set(asset, entry);
      this._load(asset, entry);
    }
    return entry;
  }

  /** Put a just-uploaded file in the cache so it shows without a round trip. */
  async put(asset, blob) {
    const entry = { state: "loading", bitmap: null };
    this.entries.set(asset, entry);
    try {
      entry.bitmap = await createImageBitmap(blob);
      entry.state = "ready";
    } catch {
      entry.state = "error";
    }
    this.dispatchEvent(new Event("load"));
  }

  async _load(asset, entry) {
    try {
      const res = await fetch(`/api/boards/${encodeURIComponent(this.boardId)}/assets/${encodeURIComponent(asset)}`, {
        headers: { Authorization: `Bearer ${this.token}` },
      });
      if (!res.ok) throw new Error(String(res.status));
      entry.bitmap = await createImageBitmap(await res.blob());
      entry.state = "ready";
    } catch {
      entry.state = "error";
      // Try again later (e.g. while offline).
      setTimeout(() => this.entries.delete(asset), 10000);
    }
    this.dispatchEvent(new Event("load"));
  }
}
