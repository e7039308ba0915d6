// The tool column from the keyboard. It comes first in the page's Tab order, right
// after the skip link ("Skip to tools"), so a keyboard user reaches the note tool in
// three Tab presses instead of 24. Its tools are in groups (as the separators show:
// select and hand; note, text and shapes; connector, pen, eraser; image and frame); Tab
// goes from group to group, landing on the tool in hand or the group's first, and the
// arrow keys (Home, End) move from tool to tool through the whole column.

export class ToolNav {
  /** `column`: the tool column (#toolbar); `skip`: the skip link; `canvas`: the board. */
  constructor({ column, skip, canvas }) {
    this.column = column;
    this.buttons = [...column.querySelectorAll("button[data-tool]")];
    this.groups = [[]];
    for (const el of column.children) {
      if (el.classList.contains("tool-sep")) this.groups.push([]);
      else if (el.matches("button[data-tool]")) this.groups.at(-1).push(el);
    }
    column.addEventListener("keydown", (e) => this.key(e));
    column.addEventListener("focusin", (e) => {
      if (this.buttons.includes(e.target)) this.stop(e.target);
    });
    skip?.addEventListener("click", (e) => {
      e.preventDefault();
      const to = column.hidden ? canvas : this.buttons.find((b) => b.tabIndex === 0);
      to?.focus();
    });
    this.refresh();
  }

  /** After a tool change: each group's Tab stop is the tool in hand, else its first. */
  refresh() {
    for (const group of this.groups) {
      const pressed = group.find((b) => b.getAttribute("aria-pressed") === "true");
      this.stop(pressed || group[0], group);
    }
  }

  /** Make `button` its group's one Tab stop. */
  stop(button, group = this.groups.find((g) => g.includes(button))) {
    for (const b of group || []) b.tabIndex = b === button ? 0 : -1;
  }

  key(e) {
    const at = this.buttons.indexOf(e.target);
    if (at < 0) return;
    const n = this.buttons.length;
    const to = { ArrowDown: at + 1, ArrowRight: at + 1, ArrowUp: at - 1, ArrowLeft: at - 1, Home: 0, End: n - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    this.buttons[(to + n) % n].focus();
  }
}
