// Which objects I have selected. Events: "change".

export class Selection extends EventTarget {
  constructor() {
    super();
    this.ids = new Set();
  }

  get size() {
    return this.ids.size;
  }

  has(id) {
    return this.ids.has(id);
  }

  [Symbol.iterator]() {
    return this.ids[Symbol.iterator]();
  }

  set(ids) {
    const next = new Set(ids);
    if (next.size === this.ids.size && [...next].every((id) => this.ids.has(id))) return;
    this.ids = next;
    this.dispatchEvent(new Event("change"));
  }

  toggle(id) {
    const next = new Set(this.ids);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.set(next);
  }

  clear() {
    this.set([]);
  }

  /** Drop ids of objects that no longer exist. */
  prune(store) {
    const alive = [...this.ids].filter((id) => store.has(id));
    if (alive.length !== this.ids.size) this.set(alive);
  }
}
