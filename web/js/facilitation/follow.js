// Follow mode and "bring everyone here": while the facilitator leads
// (`session.follow`), participants' views follow the leader's `presence.view`; a
// `summon` moves everyone's view once, to a frame or a view.

import { bounds } from "../geometry.js";

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
          ctx.announce(ctx.t("follow.started", { name: after.name || ctx.t("people.someone") }));
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
    if (Math.abs(cam.x - view.x) < 0.5 && Math.abs(cam.y - view.y) < 0.5 && Math.abs(cam.zoom - view.zoom) < 1e-4) return;
    cam.set(view.x, view.y, view.zoom);
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
      ctx.camera.fit(bounds(frame, ctx.lookup), 40, 1.5);
    } else if (msg.view) {
      ctx.camera.set(msg.view.x, msg.view.y, msg.view.zoom);
    } else return;
    const text = ctx.t("summon.moved", { name: msg.name || ctx.t("people.someone") });
    ctx.announce(text);
    ctx.toast(text);
  }

  render() {
    const { ctx } = this;
    const f = this.session.state.follow;
    const show = !!f && !this.isLeader(f);
    this.banner.hidden = !show;
    if (!show) return;
    const name = f.name || ctx.t("people.someone");
    this.banner.querySelector(".banner-text").textContent = ctx.t(this.optedOut ? "follow.not_following" : "follow.following", { name });
    this.stopBtn.hidden = this.optedOut;
    this.resumeBtn.hidden = !this.optedOut;
  }
}
