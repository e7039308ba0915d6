// Dot voting from the board: a click (or Enter on the selected note) gives a vote;
// on a note that already has all the votes it may get, or with Shift, it takes one
// back. The budget is checked here first, so a refused vote is explained at once.

export class Voting {
  constructor(ctx, session) {
    this.ctx = ctx;
    this.session = session;
  }

  get active() {
    return this.session.votingOpen;
  }

  /** A pointer press at world point `p`; true when it was a vote (the tool skips it). */
  pointer(p, remove = false) {
    if (!this.active) return false;
    const obj = this.ctx.pick(p);
    if (!obj || obj.kind !== "note") return false;
    this.toggle(obj.id, remove);
    return true;
  }

  /** Vote on a note, or take a vote back (`remove`, or nothing more is allowed there). */
  toggle(id, remove = false) {
    const { ctx, session } = this;
    const mine = session.myVotes(id);
    const blocker = session.voteBlocker(id);
    if (remove || (blocker && mine > 0)) {
      if (!mine) return;
      session.unvote(id);
      session.mine = { ...session.mine, [id]: mine - 1 };
      session.remaining = (session.remaining ?? 0) + 1;
      ctx.announce(ctx.t("vote.removed", { n: session.remaining }));
    } else if (blocker) {
      ctx.toast(ctx.t(blocker, { n: session.state.voting ? session.state.voting.per_note : 1 }));
      ctx.announce(ctx.t(blocker, { n: session.state.voting ? session.state.voting.per_note : 1 }));
      return;
    } else {
      session.vote(id);
      // Shown at once; the server's `votes` answer confirms (or corrects) it.
      session.mine = { ...session.mine, [id]: mine + 1 };
      session.remaining = (session.remaining ?? session.state.voting.votes) - 1;
      ctx.announce(ctx.t("vote.given", { n: session.remaining }));
    }
    session.dispatchEvent(new Event("votes"));
  }
}
