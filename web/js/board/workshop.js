// The workshop session's views for everyone: timer, banners, follow mode, the agenda
// step card, the vote results and voting on the board.

import { Banners } from "../facilitation/banners.js";
import { Follow } from "../facilitation/follow.js";
import { Results } from "../facilitation/results.js";
import { StepCard } from "../facilitation/step.js";
import { TimerView } from "../facilitation/timer.js";
import { Voting } from "../facilitation/voting.js";
import { extend } from "./context.js";
import { $ } from "./page.js";

export class WorkshopViews {
  /** `presence`: the people on the board (follow mode follows one of them). */
  constructor({ ctx, session, presence }) {
    this.timer = new TimerView(ctx, session, $("#timer"));
    this.banners = new Banners(ctx, session, { privateEl: $("#banner-private"), lockedEl: $("#banner-locked"), voteEl: $("#banner-vote") });
    this.follow = new Follow(extend(ctx, { presence }), session, { banner: $("#banner-follow"), stop: $("#follow-stop"), resume: $("#follow-resume") });
    this.stepCard = new StepCard(ctx, session, $("#step-card"));
    this.results = new Results(ctx, session, $("#results"));
    this.voting = new Voting(ctx, session);
  }

  render() {
    this.timer.render();
    this.banners.render();
    this.follow.render();
    this.stepCard.render();
    this.results.render();
  }
}
