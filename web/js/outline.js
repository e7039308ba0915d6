// The outline: frames, the zones in them and the notes (and texts) in those, as a live
// list that a screen reader can read and edit: h3 per frame, h4 per zone, so heading
// navigation jumps frame to frame and zone to zone. Template labels (locked texts and
// shapes) are not listed; they are the template's furniture, not what people wrote.
// Changes made here are ordinary undoable board changes.

import { frameOf, placeName, zoneOf } from "./frames.js";
import { TEXT_LIMITS } from "./model.generated.js";
import { debounce, h, placeChildren } from "./util.js";

const LISTED = new Set(["note", "text", "shape"]);

export class Outline {
  /** `ctx`: the shared services plus `editingBy(id)` (the people list) and `voting`. */
  constructor(ctx, root) {
    this.ctx = ctx;
    this.root = root;
    this.items = new Map(); // key -> element
    this.refresh = debounce(() => this.render(), 150);
  }

  /**
   * Frames (top to bottom, left to right), each with its zone groups, then what lies
   * outside every frame: {frames: [{frame, zones, count}], outside: {zones, count}}.
   * A zone group is {zone, items}; `zone` null holds the items in no zone (listed last).
   */
  groups() {
    const { ctx } = this;
    const all = ctx.store.sorted();
    const order = (a, b) => a.y - b.y || a.x - b.x || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const frames = all.filter((o) => o.kind === "frame").sort(order);
    const homes = new Map(frames.map((f) => [f.id, new Map()]));
    const outside = new Map();
    const zoneShapes = all.filter((o) => o.kind === "shape" && o.locked);
    for (const o of all) {
      if (!LISTED.has(o.kind)) continue;
      if (o.kind === "shape" && !o.text) continue;
      if (o.kind !== "note" && o.locked) continue; // a template label or zone
      // The frame rule F1 (frames.js): the smallest frame holding the item's centre;
      // its zone: the smallest locked shape holding it (as the exports say).
      const home = frameOf(o, frames, ctx.lookup);
      const zones = home ? homes.get(home.id) : outside;
      const found = zoneOf(o, zoneShapes, ctx.lookup);
      const zone = found && placeName(found) ? found : null; // a nameless lock is no zone
      const key = zone ? zone.id : "";
      if (!zones.has(key)) zones.set(key, { zone, items: [] });
      zones.get(key).items.push(o);
    }
    const list = (zones) => {
      const found = [...zones.values()].sort((a, b) => (!a.zone ? 1 : !b.zone ? -1 : order(a.zone, b.zone)));
      for (const g of found) g.items.sort(order);
      return { zones: found, count: found.reduce((n, g) => n + g.items.length, 0) };
    };
    return { frames: frames.map((f) => ({ frame: f, ...list(homes.get(f.id)) })), outside: list(outside) };
  }

  /** A new note in frame `frameId`, after the notes already in it; its field gets the focus. */
  addNoteInFrame(frameId) {
    const { ctx } = this;
    const f = ctx.store.get(frameId);
    if (!f || ctx.readOnly) return;
    const inside = this.groups().frames.find((g) => g.frame.id === frameId)?.count || 0;
    const cols = Math.max(1, Math.floor((f.w - 40) / 220));
    const x = f.x + 20 + (inside % cols) * 220;
    const y = f.y + 20 + Math.floor(inside / cols) * 220;
    const note = ctx.actions.create({ kind: "note", x, y: Math.min(y, f.y + f.h - 200), w: 200, h: 200, color: ctx.ui.noteColor });
    ctx.announce(ctx.t("announce.created", { what: ctx.t("kind.note") }));
    this.render();
    const field = [...document.querySelectorAll(".outline-note")].find((li) => this.items.get(`n:${note.id}`) === li);
    field?.querySelector("textarea")?.focus();
  }

  render() {
    if (this.root.closest("[hidden]")) return;
    const { ctx } = this;
    const { frames, outside } = this.groups();
    const list = this._el("list", () => h("ul", { class: "outline-tree" }));
    const children = [];
    for (const g of frames) children.push(this._frame(g.frame, g.zones));
    if (outside.count || !frames.length) children.push(this._group("outside", ctx.t("outline.outside"), outside.zones));
    placeChildren(list, children);
    if (!list.parentNode) this.root.append(list);
    const total = frames.reduce((n, g) => n + g.count, outside.count);
    this._el("empty", () => h("p", { class: "outline-empty" })).textContent = total ? "" : ctx.t("outline.empty");
    if (!this.items.get("empty").parentNode) this.root.append(this.items.get("empty"));
    for (const [key, el] of this.items) if (!el.isConnected) this.items.delete(key); // gone from the board
  }

  _el(key, make) {
    let el = this.items.get(key);
    if (!el) {
      el = make();
      this.items.set(key, el);
    }
    return el;
  }

  _frame(frame, zones) {
    const { ctx } = this;
    const li = this._el(`f:${frame.id}`, () => {
      const title = h("input", { type: "text", class: "outline-frame-title", maxlength: TEXT_LIMITS.title });
      title.addEventListener("change", () => {
        const cur = ctx.store.get(frame.id);
        if (cur && cur.title !== title.value) ctx.actions.update(frame.id, { title: title.value });
      });
      const show = h("button", { type: "button", class: "btn-small outline-show" });
      show.addEventListener("click", () => ctx.showObject(li.dataset.id));
      const add = h("button", { type: "button", class: "btn-small outline-add" });
      add.addEventListener("click", () => this.addNoteInFrame(li.dataset.id));
      // The heading a screen reader jumps to; sighted people read the title field.
      const heading = h("h3", { class: "sr-only outline-frame-heading" });
      const row = h("div", { class: "outline-frame" }, title, show, add);
      const ul = h("ul", { class: "outline-zones" });
      const node = h("li", { class: "outline-group" }, heading, row, ul);
      node.dataset.id = frame.id;
      return node;
    });
    const [heading, row] = li.children;
    const [title, show, add] = row.children;
    const name = frame.title || ctx.t("outline.untitled");
    heading.textContent = name;
    if (document.activeElement !== title) title.value = frame.title || "";
    title.setAttribute("aria-label", ctx.t("outline.frame_title"));
    title.placeholder = ctx.t("outline.untitled");
    title.readOnly = ctx.readOnly || !!frame.locked;
    show.textContent = ctx.t("outline.show");
    show.setAttribute("aria-label", `${ctx.t("outline.show")}: ${name}`);
    add.textContent = ctx.t("outline.add_note");
    add.setAttribute("aria-label", `${ctx.t("outline.add_note")}: ${name}`);
    add.hidden = ctx.readOnly;
    placeChildren(li.lastChild, this._zones(frame.id, zones, name));
    return li;
  }

  _group(key, label, zones) {
    const li = this._el(`g:${key}`, () =>
      h("li", { class: "outline-group" }, h("h3", { class: "outline-group-title" }), h("ul", { class: "outline-zones" })),
    );
    li.firstChild.textContent = label;
    placeChildren(li.lastChild, this._zones(`g:${key}`, zones, label));
    return li;
  }

  /**
   * One list item per zone group, with an h4 of the zone's name; the items in no zone
   * come last, under "Outside zones" when there are zones beside them, else untitled.
   */
  _zones(key, zones, where) {
    const { ctx } = this;
    const named = zones.some((g) => g.zone);
    return zones.map(({ zone, items }) => {
      const li = this._el(`z:${key}:${zone ? zone.id : ""}`, () =>
        h("li", { class: "outline-zone" }, h("h4", { class: "outline-zone-title" }), h("ul", { class: "outline-notes" })),
      );
      const title = zone ? placeName(zone) : ctx.t("outline.no_zone");
      li.firstChild.textContent = title;
      li.firstChild.hidden = !zone && !named;
      const place = zone ? title : where;
      placeChildren(li.lastChild, items.map((o, i) => this._item(o, i, place)));
      return li;
    });
  }

  _item(obj, index, where) {
    const { ctx } = this;
    const li = this._el(`n:${obj.id}`, () => {
      const field = h("textarea", { class: "outline-text", rows: 2, maxlength: TEXT_LIMITS.text });
      field.addEventListener("change", () => {
        const cur = ctx.store.get(obj.id);
        if (cur && cur.text !== field.value) ctx.actions.update(obj.id, { text: field.value });
      });
      field.addEventListener("focus", () => ctx.selection.set([obj.id]));
      const swatch = h("span", { class: "outline-swatch", "aria-hidden": "true" });
      const show = h("button", { type: "button", class: "btn-small outline-show" });
      show.addEventListener("click", () => ctx.showObject(obj.id));
      const status = h("span", { class: "outline-status" });
      const vote = h("button", { type: "button", class: "btn-small outline-vote" });
      vote.addEventListener("click", () => ctx.voting?.toggle(obj.id));
      const votes = h("span", { class: "outline-votes" });
      return h("li", { class: "outline-note" }, swatch, field, show, status, vote, votes);
    });
    const [swatch, field, show, status, vote, votes] = li.children;
    swatch.style.backgroundColor = obj.kind === "text" ? "#ffffff" : obj.color;
    const label = ctx.t("outline.item_label", { kind: ctx.t(`kind.${obj.kind}`), n: index + 1, where });
    field.setAttribute("aria-label", label);
    if (document.activeElement !== field) field.value = obj.text || "";
    const by = ctx.editingBy(obj.id);
    field.readOnly = ctx.readOnly || !!by || obj.locked;
    status.textContent = by ? ctx.t("editing.by", { name: by.name || ctx.t("people.anonymous") }) : "";
    show.textContent = ctx.t("outline.show");
    show.setAttribute("aria-label", `${ctx.t("outline.show")}: ${label}`);
    // Dot voting from the list (keyboard and screen reader): my votes, then the totals.
    const session = ctx.session;
    const canVote = !!session && session.votingOpen && obj.kind === "note";
    vote.hidden = !canVote;
    votes.textContent = "";
    if (canVote) {
      const mine = session.myVotes(obj.id);
      vote.textContent = mine ? ctx.t("outline.vote_mine", { n: mine }) : ctx.t("outline.vote");
      vote.setAttribute("aria-label", `${ctx.t("outline.vote")}: ${label}. ${ctx.t("outline.vote_mine", { n: mine })}`);
    } else if (session && obj.kind === "note") {
      const total = session.results().get(obj.id);
      if (total) votes.textContent = ctx.t(total === 1 ? "results.vote" : "results.votes", { n: total });
    }
    return li;
  }
}
