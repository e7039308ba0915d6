// Who is here: the people list, live cursors with names, others' selections and
// "… is editing" labels. Everything shown is text from textContent.
//
// The list holds only people the server announced (welcome, peer_joined); a presence
// message from anyone else is ignored, never turned into a person. A person is one seat
// on one socket (`conn`): a peer_left for an older socket of a seat that came back is
// ignored. A cursor that has not moved for a minute fades.
//
// Anonymous mode (rule M7): the server leaves others' names out for participants and
// viewers; such a person is shown by seat number, "Deltaker 3", in the list, on the
// cursor and in "… is editing". The facilitator gets names and sees the number beside
// them. When the mode flips the server sends the whole list again (`peers`).

const CURSOR_FADE_MS = 60_000;

import { h, placeChildren, setText } from "./util.js";

export class Presence extends EventTarget {
  constructor(ctx, { layer, list, count }) {
    super();
    this.ctx = ctx;
    this.layer = layer;
    this.list = list;
    this.count = count;
    this.peers = new Map(); // client -> {client,conn,name,seat,role,color,cursor,moved,selection,editing,el,label}
    ctx.conn?.addEventListener("peers", (e) => this.reset(e.detail.peers));
    // Idle cursors fade even when nothing else makes the board redraw.
    setInterval(() => {
      if ([...this.peers.values()].some((p) => p.el && !p.el.hidden)) this.ctx.renderer.request();
    }, 10_000);
  }

  reset(peers) {
    for (const p of this.peers.values()) this._removeEls(p);
    this.peers.clear();
    for (const p of peers || []) this.upsert(p);
    this.changed();
  }

  /** A person the server announced: add or update them. */
  upsert(info) {
    if (!info || !info.client || (this.ctx.you && info.client === this.ctx.you.client)) return null;
    let p = this.peers.get(info.client);
    if (!p) {
      p = { client: info.client, selection: [], editing: null, cursor: null };
      this.peers.set(info.client, p);
    }
    this._take(p, info);
    return p;
  }

  _take(p, info) {
    for (const k of ["conn", "name", "seat", "role", "color", "cursor", "selection", "editing", "view"]) if (k in info) p[k] = info[k];
    if ("name" in info) p.numbered = false;
    else if (p.seat && !p.numbered) {
      // The server sent no name (anonymous mode): the seat number is the name here.
      p.name = this.ctx.t("people.number", { n: p.seat });
      p.numbered = true;
    }
    if ("cursor" in info) p.moved = performance.now();
  }

  joined(peer) {
    const p = this.upsert(peer);
    if (p) this.ctx.announce(this.ctx.t("announce.peer_joined", { name: p.name || this.ctx.t("people.anonymous") }));
    this.changed();
  }

  left(client, conn) {
    const p = this.peers.get(client);
    if (!p) return;
    if (conn && p.conn && conn !== p.conn) return; // an older socket of a seat that is back
    this._removeEls(p);
    this.peers.delete(client);
    this.ctx.announce(this.ctx.t("announce.peer_left", { name: p.name || this.ctx.t("people.anonymous") }));
    this.changed();
  }

  update(msg) {
    const before = this.peers.get(msg.client);
    if (!before) return; // not announced by the server: never invent a person
    const hadEditing = before.editing;
    this._take(before, msg);
    if (hadEditing !== msg.editing) this.changed();
    else {
      this.ctx.ui.remoteSelected = this.remoteSelected();
      this.ctx.renderer.request();
    }
  }

  changed() {
    this.ctx.ui.remoteSelected = this.remoteSelected();
    this._renderList();
    this.ctx.renderer.request();
    this.dispatchEvent(new Event("change"));
  }

  remoteSelected() {
    const out = new Map();
    for (const p of this.peers.values()) for (const id of p.selection || []) out.set(id, p.color || "#6b7280");
    return out;
  }

  editingBy(id) {
    for (const p of this.peers.values()) if (p.editing === id) return p;
    return null;
  }

  _removeEls(p) {
    p.el?.remove();
    p.label?.remove();
  }

  /** Draw the people list again (the facilitator's buttons came). */
  refresh() {
    this._renderList();
  }

  _renderList() {
    const { ctx } = this;
    const people = [...this.peers.values()].sort((a, b) => (a.name || "").localeCompare(b.name || ""));
    const items = [];
    if (ctx.you) items.push(this._person(ctx.you, true));
    for (const p of people) items.push(this._person(p, false));
    placeChildren(this.list, items);
    this.count.textContent = ctx.t("people.count", { n: people.length + (ctx.you ? 1 : 0) });
  }

  /** `p`'s row in the people list, kept from draw to draw so a focused button stays focused. */
  _person(p, isYou) {
    const { ctx } = this;
    const name = p.name || ctx.t("people.anonymous");
    p.item ??= h(
      "li",
      { class: "person" },
      h("span", { class: "avatar", "aria-hidden": "true" }),
      h("span", { class: "person-name" }),
      h("span", { class: "person-role" }),
    );
    const [dot, who, role] = p.item.children;
    setText(dot, ([...name.trim()][0] || "?").toUpperCase());
    dot.style.backgroundColor = p.color || "#6b7280";
    let label = isYou ? `${name} ${ctx.t("people.you")}` : name;
    // The facilitator sees names and, in anonymous mode, the number the others see.
    if (!p.numbered && p.seat && ctx.session?.state?.anonymous) label += ` · ${ctx.t("people.number", { n: p.seat })}`;
    setText(who, label);
    setText(role, ctx.t(`role.${p.role || "participant"}`));
    // The facilitator's "undo what X did" and "remove" (rules M1, M5), named after the person.
    const wanted = !isYou && ctx.moderation && p.client ? name : null;
    let buttons = p.item.querySelector(".mod-buttons");
    if (buttons && buttons.dataset.name !== wanted) buttons = buttons.remove();
    if (wanted !== null && !buttons) {
      buttons = ctx.moderation.buttons(p);
      buttons.dataset.name = wanted;
      p.item.append(buttons);
    }
    return p.item;
  }

  /** Position cursors and editing labels (called after each render). */
  place() {
    const { ctx } = this;
    const cam = ctx.camera;
    const now = performance.now();
    for (const p of this.peers.values()) {
      const fresh = p.cursor && now - (p.moved || 0) < CURSOR_FADE_MS;
      if (fresh) {
        if (!p.el) {
          p.el = h(
            "div",
            { class: "cursor", "aria-hidden": "true" },
            svgArrow(p.color),
            h("span", { class: "cursor-name", text: p.name || "" }),
          );
          this.layer.append(p.el);
        }
        const name = p.el.querySelector(".cursor-name");
        setText(name, p.name || "");
        name.style.backgroundColor = p.color || "#374151";
        p.el.querySelector("path").setAttribute("fill", p.color || "#374151");
        const s = cam.toScreen(p.cursor.x, p.cursor.y);
        const visible = s.x > -50 && s.y > -50 && s.x < cam.width + 50 && s.y < cam.height + 50;
        p.el.hidden = !visible;
        p.el.style.transform = `translate(${s.x}px, ${s.y}px)`;
      } else if (p.el) {
        p.el.hidden = true;
      }
      const obj = p.editing ? ctx.store.get(p.editing) : null;
      if (obj && "w" in obj) {
        if (!p.label) {
          p.label = h("div", { class: "editing-label", role: "status" });
          this.layer.append(p.label);
        }
        const text = ctx.t("editing.by", { name: p.name || ctx.t("people.anonymous") });
        setText(p.label, text);
        p.label.style.backgroundColor = p.color || "#374151";
        const s = cam.toScreen(obj.x, obj.y);
        p.label.style.transform = `translate(${s.x}px, ${s.y - 26}px)`;
        p.label.hidden = false;
      } else if (p.label) {
        p.label.hidden = true;
      }
    }
  }
}

function svgArrow(color) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", "18");
  svg.setAttribute("height", "22");
  svg.setAttribute("viewBox", "0 0 18 22");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M1 1 L1 18 L6 13.5 L9.5 21 L12.5 19.6 L9 12.5 L16 12.5 Z");
  path.setAttribute("fill", color || "#374151");
  path.setAttribute("stroke", "#ffffff");
  path.setAttribute("stroke-width", "1.5");
  svg.append(path);
  return svg;
}
