// Follow mode and "bring everyone here": while the facilitator leads
// (`session.follow`), participants' views follow the leader's `presence.view`; a
// `summon` moves everyone's view once, to a frame or a view, readable first and in the
// free area (board/view.js showRect, showView).

import { fitView, MAX_ZOOM } from "../camera.js";
import { bounds } from "../geometry.js";

/**
 * My camera for someone else's view: their view rectangle (`w`, `h` in board units)
 * fitted into `area` (my free area, px from the canvas' top-left: {x, y, w, h}) and
 * centred there, at whatever zoom that takes (no readable floor: following shows what
 * the leader shows); without a size, their top-left corner and zoom.
 */
export function viewFor(view, area) {
  const ok = (n) => typeof n === "number" && Number.isFinite(n) && n > 0;
  if (!ok(view.w) || !ok(view.h) || !ok(area.w) || !ok(area.h)) return { x: view.x, y: view.y, zoom: view.zoom };
  const b = { x: view.x, y: view.y, w: view.w, h: view.h };
  return fitView(b, area, { margin: 0, maxFit: MAX_ZOOM, maxZoom: MAX_ZOOM, anchor: "center" });
}

export class Follow {
  constructor(ctx, session, { banner, stop, resume }) {
    this.ctx = ctx;
    this.session = session;
    this.banner = banner;
    this.stopBtn = stop;
    this.resumeBtn = resume;
    this.optedOut = false;
    stop.addEventListener("click", () => {
      this.optedOut = true;
      ctx.announce(ctx.t("follow.stopped"));
      this.render();
      resume.focus();
    });
    resume.addEventListener("click", () => {
      this.optedOut = false;
      this.jump();
      this.render();
      stop.focus();
    });
    session.addEventListener("change", (e) => {
      const before = e.detail.before.follow;
      const after = e.detail.after.follow;
      if (after && (!before || before.client !== after.client)) {
        this.optedOut = false;
        if (this.following) {
          ctx.announce(ctx.t("follow.started", { name: this.nameOf(after.client, after.name) }));
          this.jump();
        }
      }
      if (!after && before && !this.isLeader(before)) ctx.announce(ctx.t("follow.ended"));
      this.render();
    });
  }

  isLeader(follow) {
    return !!(follow && this.ctx.you && follow.client === this.ctx.you.client);
  }

  /** Following now: someone else leads and I have not stopped it. */
  get following() {
    const f = this.session.state.follow;
    return !!f && !this.isLeader(f) && !this.optedOut;
  }

  /** The leader's latest view arrived (a presence message). */
  presence(msg) {
    const f = this.session.state.follow;
    if (!this.following || !f || msg.client !== f.client || !msg.view) return;
    this.apply(msg.view);
  }

  jump() {
    const f = this.session.state.follow;
    const peer = f && this.ctx.presence.peers.get(f.client);
    if (peer && peer.view) this.apply(peer.view);
  }

  apply(view) {
    const cam = this.ctx.camera;
    const target = viewFor(view, this.ctx.view.area());
    if (Math.abs(cam.x - target.x) < 0.5 && Math.abs(cam.y - target.y) < 0.5 && Math.abs(cam.zoom - target.zoom) < 1e-4) return;
    cam.set(target.x, target.y, target.zoom);
  }

  /** A one-shot `summon`: show the frame (or view) the facilitator chose. */
  summon(msg, tries = 0) {
    const { ctx } = this;
    if (msg.frame) {
      const frame = ctx.store.get(msg.frame);
      if (!frame) {
        // The frame may arrive a moment after the summon (a template just inserted).
        if (tries < 20) setTimeout(() => this.summon(msg, tries + 1), 100);
        return;
      }
      ctx.view.showRect(bounds(frame, ctx.lookup), "start");
    } else if (msg.view) {
      ctx.view.showView(msg.view);
    } else return;
    const text = ctx.t("summon.moved", { name: this.nameOf(msg.by, msg.name) });
    ctx.announce(text);
    ctx.toast(text);
  }

  /** A name, or in anonymous mode (rule M7: none sent) the people list's "Deltaker N". */
  nameOf(client, name) {
    return name || this.ctx.presence?.peers.get(client)?.name || this.ctx.t("people.someone");
  }

  render() {
    const { ctx } = this;
    const f = this.session.state.follow;
    const show = !!f && !this.isLeader(f);
    this.banner.hidden = !show;
    if (!show) return;
    const name = this.nameOf(f.client, f.name);
    this.banner.querySelector(".banner-text").textContent = ctx.t(this.optedOut ? "follow.not_following" : "follow.following", { name });
    this.stopBtn.hidden = this.optedOut;
    this.resumeBtn.hidden = !this.optedOut;
  }
}
