// The shared timer in the top bar, the same for everyone: the server sends the end
// time and its clock (`now`); we correct for this machine's skew. At the end: a calm
// visual signal, a spoken announcement and, if switched on, a short chime.

import { chime, unlockAudio } from "./chime.js";
import { setText } from "../util.js";

const SOUND_KEY = "samskap.timerSound";

export function formatTime(ms) {
  const total = Math.ceil(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

export class TimerView {
  constructor(ctx, session, root) {
    this.ctx = ctx;
    this.session = session;
    this.root = root;
    this.clock = root.querySelector(".timer-clock");
    this.state = root.querySelector(".timer-state");
    this.sound = root.querySelector(".timer-sound");
    this.soundOn = localStorage.getItem(SOUND_KEY) === "1";
    this.lastLeft = null;
    this.ticker = null;
    this.sound.addEventListener("click", () => {
      this.soundOn = !this.soundOn;
      localStorage.setItem(SOUND_KEY, this.soundOn ? "1" : "0");
      if (this.soundOn) unlockAudio();
      this.render();
    });
    session.addEventListener("change", (e) => {
      const before = e.detail.before.timer;
      const after = e.detail.after.timer;
      if (after && (!before || before.ends_at !== after.ends_at || before.running !== after.running)) this.lastLeft = null;
      if (after && !before) ctx.announce(ctx.t("timer.started", { time: formatTime(session.timerLeft()) }));
      if (!after && before) ctx.announce(ctx.t("timer.stopped"));
      this.render();
    });
  }

  render() {
    const { ctx, session } = this;
    const timer = session.state.timer;
    this.root.hidden = !timer;
    this.sound.setAttribute("aria-pressed", String(this.soundOn));
    this.sound.title = ctx.t(this.soundOn ? "timer.sound_on" : "timer.sound_off");
    this.sound.setAttribute("aria-label", this.sound.title);
    if (!timer) {
      clearInterval(this.ticker);
      this.ticker = null;
      return;
    }
    if (!this.ticker) this.ticker = setInterval(() => this.tick(), 250);
    this.tick();
  }

  tick() {
    const { ctx, session } = this;
    const timer = session.state.timer;
    if (!timer) return;
    const left = session.timerLeft();
    const text = formatTime(left);
    setText(this.clock, text);
    const done = left <= 0;
    this.root.dataset.state = done ? "done" : timer.running ? (left <= 60000 ? "ending" : "running") : "paused";
    const stateText = done ? ctx.t("timer.done") : timer.running ? "" : ctx.t("timer.paused");
    setText(this.state, stateText);
    if (timer.running && this.lastLeft !== null) {
      if (this.lastLeft > 60000 && left <= 60000 && left > 0) ctx.announce(ctx.t("timer.one_minute"));
      if (this.lastLeft > 0 && left <= 0) {
        ctx.announce(ctx.t("timer.done"));
        if (this.soundOn) chime();
      }
    }
    this.lastLeft = left;
  }
}
