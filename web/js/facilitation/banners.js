// The session banners everyone sees at the top of the board: private mode, a locked
// board or paused permissions, and dot voting with the votes I have left. Changes are
// also spoken through the polite live region.

export class Banners {
  constructor(ctx, session, { privateEl, lockedEl, voteEl }) {
    this.ctx = ctx;
    this.session = session;
    this.privateEl = privateEl;
    this.lockedEl = lockedEl;
    this.voteEl = voteEl;
    session.addEventListener("change", (e) => {
      this.announce(e.detail.before, e.detail.after);
      this.render();
    });
    session.addEventListener("votes", () => this.render());
  }

  announce(before, after) {
    const { ctx } = this;
    const role = this.session.role;
    if (after.private !== before.private) ctx.announce(ctx.t(after.private ? "private.on" : "private.revealed"));
    if (after.locked !== before.locked && role !== "facilitator") ctx.announce(ctx.t(after.locked ? "locked.on" : "locked.off"));
    const wasOpen = !!(before.voting && before.voting.open);
    const isOpen = !!(after.voting && after.voting.open);
    if (isOpen && !wasOpen) ctx.announce(ctx.t("vote.opened", { n: after.voting.votes }));
    if (!isOpen && wasOpen) ctx.announce(ctx.t("vote.closed_announce"));
  }

  render() {
    const { ctx, session } = this;
    const s = session.state;
    const role = session.role;
    const fac = role === "facilitator";

    this.privateEl.hidden = !s.private || role === "viewer";
    this.privateEl.querySelector(".banner-text").textContent = ctx.t(fac ? "private.banner_facilitator" : "private.banner");

    const paused = [];
    if (s.permissions.add === false) paused.push(ctx.t("locked.no_add"));
    if (s.permissions.move === false) paused.push(ctx.t("locked.no_move"));
    let lockText = "";
    if (s.locked) lockText = ctx.t(fac ? "locked.banner_facilitator" : "locked.banner");
    else if (paused.length && role === "participant") lockText = paused.join(" ");
    this.lockedEl.hidden = !lockText || role === "viewer";
    this.lockedEl.querySelector(".banner-text").textContent = lockText;

    const v = s.voting;
    const text = this.voteEl.querySelector(".banner-text");
    const left = this.voteEl.querySelector(".vote-left");
    if (v && v.open) {
      this.voteEl.hidden = false;
      this.voteEl.dataset.state = "open";
      if (role === "viewer") {
        text.textContent = ctx.t("vote.banner_viewer");
        left.textContent = "";
      } else if (s.permissions.vote === false) {
        text.textContent = ctx.t("vote.paused");
        left.textContent = "";
      } else {
        text.textContent = ctx.t("vote.banner", { n: v.votes, per: v.per_note });
        const remaining = session.remaining ?? v.votes;
        left.textContent = ctx.t("vote.left", { n: remaining, of: v.votes });
      }
    } else if (v && !v.open) {
      this.voteEl.hidden = false;
      this.voteEl.dataset.state = "closed";
      text.textContent = ctx.t("vote.closed_banner");
      left.textContent = "";
    } else {
      this.voteEl.hidden = true;
    }
  }
}
