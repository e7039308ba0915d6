// The facilitator's panel: agenda steps, timer, private mode, dot voting, board lock,
// permissions and anonymous mode, follow me / bring everyone here. Every control sends one
// `facilitate` message; what the buttons show follows the `session` the server sends.

import { bounds } from "../geometry.js";
import { frameAtPoint } from "../frames.js";
import { h } from "../util.js";

const $ = (sel) => document.querySelector(sel);

function whole(input, lo, hi) {
  const n = Math.round(Number(input.value));
  if (!Number.isFinite(n) || n < lo || n > hi) return null;
  return n;
}

export class FacilitationPanel {
  constructor(ctx, session, root) {
    this.ctx = ctx;
    this.session = session;
    this.root = root;
    const fac = (action, body) => session.facilitate(action, body);
    const on = (id, fn) => $(id).addEventListener("click", fn);

    // Agenda
    on("#fac-prev", () => this.step(-1));
    on("#fac-next", () => this.step(1));

    // Timer
    on("#fac-timer-start", () => {
      const minutes = whole($("#fac-minutes"), 1, 240);
      if (minutes === null) return this.invalid("#fac-minutes", "fac.minutes_invalid");
      fac("timer_start", { seconds: minutes * 60 });
    });
    on("#fac-timer-pause", () => {
      const timer = session.state.timer;
      if (timer) fac(timer.running ? "timer_pause" : "timer_resume");
    });
    on("#fac-timer-add", () => fac("timer_add", { seconds: 60 }));
    on("#fac-timer-stop", () => fac("timer_stop"));

    // Private mode
    on("#fac-private-on", () => fac("private_on"));
    on("#fac-reveal", () => fac("reveal"));

    // Voting
    on("#fac-vote-open", () => {
      const votes = whole($("#fac-votes"), 1, 100);
      if (votes === null) return this.invalid("#fac-votes", "fac.votes_invalid");
      const perNote = whole($("#fac-per-note"), 1, votes);
      if (perNote === null) return this.invalid("#fac-per-note", "fac.per_note_invalid");
      fac("voting_open", { votes, per_note: perNote });
    });
    on("#fac-vote-close", () => fac("voting_close"));
    on("#fac-vote-clear", () => fac("voting_clear"));

    // Board lock and permissions
    $("#fac-lock").addEventListener("change", (e) => fac("lock_board", { locked: e.target.checked }));
    for (const box of root.querySelectorAll("[data-perm]")) {
      box.addEventListener("change", () => fac("permissions", { [box.dataset.perm]: box.checked }));
    }
    // Anonymous mode (rule M7): others' names stay on the server.
    $("#fac-anonymous").addEventListener("change", (e) => fac("anonymous", { on: e.target.checked }));

    // Follow me, bring everyone here
    on("#fac-follow", () => {
      const leading = this.leading();
      fac(leading ? "follow_stop" : "follow_start");
      if (!leading) ctx.sendPresence?.flush?.();
      ctx.sendPresence?.();
    });
    on("#fac-summon-view", () => {
      const cam = ctx.camera;
      fac("summon", { view: { x: cam.x, y: cam.y, zoom: cam.zoom, w: cam.width / cam.zoom, h: cam.height / cam.zoom } });
      ctx.toast(ctx.t("summon.sent"));
    });
    on("#fac-summon-frame-btn", () => {
      const id = $("#fac-summon-frame").value;
      if (!id) return;
      fac("summon", { frame: id });
      const f = ctx.store.get(id);
      if (f) ctx.view.showRect(bounds(f, ctx.lookup), "start"); // as the others see it
      ctx.toast(ctx.t("summon.sent"));
    });

    session.addEventListener("change", ({ detail }) => {
      if (detail && detail.before && !!detail.before.anonymous !== !!detail.after.anonymous) {
        ctx.announce(ctx.t(detail.after.anonymous ? "fac.anonymous_on" : "fac.anonymous_off"));
      }
      if (this.pendingStep && session.state.step === this.pendingStep.step) this.pendingStep = null;
      this.render();
    });
    ctx.store.addEventListener("change", () => this.framesSoon());
    ctx.camera.addEventListener("change", () => this.framesSoon());
  }

  leading() {
    const f = this.session.state.follow;
    return !!(f && this.ctx.you && f.client === this.ctx.you.client);
  }

  invalid(sel, key) {
    const input = $(sel);
    input.setAttribute("aria-invalid", "true");
    this.ctx.toast(this.ctx.t(key));
    input.focus();
    input.addEventListener("input", () => input.removeAttribute("aria-invalid"), { once: true });
  }

  step(delta) {
    const { session } = this;
    const n = session.agenda.length;
    if (!n) return;
    // A second click before the server's answer counts from the step just asked for.
    const pending = this.pendingStep && performance.now() - this.pendingStep.at < 3000 ? this.pendingStep.step : null;
    const cur = pending ?? session.state.step;
    const next = cur === null || cur === undefined ? (delta > 0 ? 0 : n - 1) : cur + delta;
    if (next < 0 || next >= n) return;
    this.pendingStep = { step: next, at: performance.now() };
    session.facilitate("agenda_step", { step: next });
  }

  /** The frame under the middle of the view (for "bring everyone to this frame"). */
  /** The frame at the middle of the view, by the frame rule F1. */
  frameInView() {
    return frameAtPoint(this.ctx.camera.center(), this.ctx.store.sorted());
  }

  framesSoon() {
    if (this.root.hidden || this._framesTimer) return;
    this._framesTimer = setTimeout(() => {
      this._framesTimer = null;
      this.renderFrames();
    }, 200);
  }

  renderFrames() {
    const { ctx } = this;
    const select = $("#fac-summon-frame");
    const frames = ctx.store.sorted().filter((o) => o.kind === "frame").sort((a, b) => a.y - b.y || a.x - b.x);
    const here = this.frameInView();
    const keep = document.activeElement === select ? select.value : here ? here.id : select.value;
    select.replaceChildren(
      ...frames.map((f) => h("option", { value: f.id, text: f.title || ctx.t("outline.untitled") })),
    );
    if (!frames.length) select.append(h("option", { value: "", text: ctx.t("fac.no_frames") }));
    if (frames.some((f) => f.id === keep)) select.value = keep;
    select.disabled = !frames.length;
    $("#fac-summon-frame-btn").disabled = !frames.length;
  }

  render() {
    const { ctx, session } = this;
    const s = session.state;

    // Agenda
    const list = $("#fac-agenda");
    $("#fac-agenda-empty").hidden = session.agenda.length > 0;
    list.replaceChildren(
      ...session.agenda.map((item, i) => {
        const current = s.step === i;
        const run = h("button", { type: "button", class: "btn-small", text: ctx.t(current ? "fac.step_again" : "fac.step_run") });
        run.setAttribute("aria-label", `${ctx.t(current ? "fac.step_again" : "fac.step_run")}: ${item.title}`);
        run.addEventListener("click", () => session.facilitate("agenda_step", { step: i }));
        const li = h(
          "li",
          { class: current ? "fac-step is-current" : "fac-step" },
          h("div", { class: "fac-step-head" },
            h("span", { class: "fac-step-title", text: item.title || "" }),
            item.minutes ? h("span", { class: "fac-step-min", text: ctx.t("step.minutes", { n: item.minutes }) }) : null,
            run),
          h("p", { class: "fac-step-text", text: item.instructions || "" }),
        );
        if (current) li.setAttribute("aria-current", "step");
        return li;
      }),
    );
    const n = session.agenda.length;
    $("#fac-prev").disabled = !n || s.step === 0 || s.step === null || s.step === undefined;
    $("#fac-next").disabled = !n || s.step === n - 1;
    $("#fac-next").textContent = ctx.t(s.step === null || s.step === undefined ? "fac.first" : "fac.next");

    // Timer
    const timer = s.timer;
    const pause = $("#fac-timer-pause");
    pause.disabled = !timer;
    pause.textContent = ctx.t(timer && !timer.running ? "fac.timer_resume" : "fac.timer_pause");
    $("#fac-timer-add").disabled = !timer;
    $("#fac-timer-stop").disabled = !timer;
    $("#fac-timer-start").textContent = ctx.t(timer ? "fac.timer_restart" : "fac.timer_start");

    // Private mode
    $("#fac-private-state").textContent = ctx.t(s.private ? "fac.private_is_on" : "fac.private_is_off");
    $("#fac-private-state").dataset.on = String(!!s.private);
    $("#fac-private-on").disabled = !!s.private;
    $("#fac-reveal").disabled = !s.private;

    // Voting
    const v = s.voting;
    let voteState = ctx.t("fac.vote_none");
    if (v && v.open) voteState = ctx.t("fac.vote_is_open", { n: v.votes, per: v.per_note });
    else if (v) voteState = ctx.t("fac.vote_is_closed");
    $("#fac-vote-state").textContent = voteState;
    $("#fac-vote-state").dataset.on = String(!!(v && v.open));
    $("#fac-vote-open").textContent = ctx.t(v ? "fac.vote_reopen" : "fac.vote_open");
    $("#fac-vote-close").disabled = !(v && v.open);
    $("#fac-vote-clear").disabled = !v;

    // Board
    $("#fac-lock").checked = !!s.locked;
    for (const box of this.root.querySelectorAll("[data-perm]")) box.checked = s.permissions[box.dataset.perm] !== false;
    $("#fac-anonymous").checked = !!s.anonymous;

    // Follow
    const leading = this.leading();
    const follow = $("#fac-follow");
    follow.setAttribute("aria-pressed", String(leading));
    follow.textContent = ctx.t(leading ? "fac.follow_stop" : "fac.follow");
    this.renderFrames();
  }
}
