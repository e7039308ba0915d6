// The current agenda step for everyone: "Step 2 of 5 · 10 min", its title and the
// instructions, in a card that can be folded away.

export class StepCard {
  constructor(ctx, session, root) {
    this.ctx = ctx;
    this.session = session;
    this.root = root;
    this.toggle = root.querySelector(".step-toggle");
    this.body = root.querySelector(".step-body");
    this.folded = false;
    this.toggle.addEventListener("click", () => {
      this.folded = !this.folded;
      this.render();
    });
    session.addEventListener("change", (e) => {
      const step = e.detail.after.step;
      if (step !== e.detail.before.step && step !== null && session.agenda[step]) {
        this.folded = false;
        ctx.announce(ctx.t("step.announce", { n: step + 1, title: session.agenda[step].title }));
      }
      this.render();
    });
  }

  render() {
    const { ctx, session } = this;
    const step = session.state.step;
    const item = step !== null && step !== undefined ? session.agenda[step] : null;
    this.root.hidden = !item;
    if (!item) return;
    const count = ctx.t("step.count", { n: step + 1, of: session.agenda.length });
    const minutes = item.minutes ? ` · ${ctx.t("step.minutes", { n: item.minutes })}` : "";
    this.root.querySelector(".step-count").textContent = `${count}${minutes}:`;
    this.root.querySelector(".step-name").textContent = item.title || "";
    this.root.querySelector(".step-instructions").textContent = item.instructions || "";
    this.body.hidden = this.folded;
    this.toggle.setAttribute("aria-expanded", String(!this.folded));
    this.toggle.textContent = ctx.t(this.folded ? "step.show" : "step.hide");
  }
}
