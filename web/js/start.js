// The start page: create a board, show its three links, list "my boards".

import "./storage.js"; // first: a stand-in where the browser blocks storage
import { bindLangSelect, currentLang, initI18n, t } from "./i18n.js";
import { forgetBoard, listBoards, rememberBoard } from "./myboards.js";
import { initImport } from "./importer.js";
import { codeHeaders, refusalText, saveCode, savedCode } from "./createcode.js";
import { h } from "./util.js";

const $ = (sel) => document.querySelector(sel);
const ROLES = ["participant", "viewer", "facilitator"];

async function copy(text, button, label = "start.links.copy") {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const field = button.closest(".link-row")?.querySelector("input, textarea");
    if (field) {
      field.select();
      document.execCommand("copy");
    }
  }
  button.textContent = t("start.links.copied");
  $("#live").textContent = t("start.links.copied");
  setTimeout(() => (button.textContent = t(label)), 2000);
}

/** A ready message for the meeting chat (Teams, Zoom), in the page's language. */
export function shareText(title, link) {
  return t("start.share.text", { title, link });
}

function shareRow(board) {
  const id = `share-${Math.random().toString(36).slice(2, 8)}`;
  const field = h("textarea", { id, class: "share-field", readonly: true, rows: 4 });
  field.value = shareText(board.title, board.links.participant);
  field.addEventListener("focus", () => field.select());
  const button = h("button", { type: "button", class: "btn", text: t("start.share.copy") });
  button.addEventListener("click", () => copy(field.value, button, "start.share.copy"));
  return h(
    "div",
    { class: "link-row share-row" },
    h("label", { for: id, class: "link-label", text: t("start.share.label") }),
    h("p", { class: "link-help", text: t("start.share.help") }),
    field,
    button,
  );
}

function linkRow(role, url, withHelp = true) {
  const id = `link-${role}-${Math.random().toString(36).slice(2, 8)}`;
  const input = h("input", { id, type: "text", readonly: true, class: "link-field", value: url });
  input.addEventListener("focus", () => input.select());
  const button = h("button", { type: "button", class: "btn", text: t("start.links.copy") });
  button.setAttribute("aria-label", `${t("start.links.copy")}: ${t(`start.links.${role}`)}`);
  button.addEventListener("click", () => copy(url, button));
  return h(
    "div",
    { class: `link-row role-${role}` },
    h("label", { for: id, class: "link-label", text: t(`start.links.${role}`) }),
    withHelp ? h("p", { class: "link-help", text: t(`start.links.${role}_help`) }) : null,
    h("div", { class: "link-input" }, input, button),
  );
}

let lastCreated = null; // the board made on this page, shown again after a language switch

function showCreated(board, box = $("#created"), extra = [], focus = true) {
  const links = ROLES.map((role) => linkRow(role, board.links[role]));
  if (board.links.participant) links.splice(1, 0, shareRow(board));
  const open = h("a", { class: "btn btn-primary", href: board.links.facilitator, text: t("start.links.open") });
  const heading = h("h2", { id: `${box.id}-heading`, tabindex: "-1", text: t("start.links.heading") });
  box.replaceChildren(
    heading,
    h("p", { class: "created-title", text: board.title }),
    ...extra,
    ...links,
    h("p", { class: "note-warning", text: t("start.links.warning") }),
    open,
  );
  box.hidden = false;
  if (focus) heading.focus();
}

/** The template list in the page's language, by name, keeping what was chosen. */
async function refreshTemplates() {
  const select = $("#template-select");
  const res = await fetch(`/api/templates?locale=${encodeURIComponent(currentLang())}`);
  if (!res.ok) return;
  const collator = new Intl.Collator([currentLang(), "nb"]); // no nn collation in browsers
  const list = ((await res.json()).templates || []).sort((a, b) => collator.compare(a.name, b.name));
  const chosen = select.value;
  const options = list.map((tpl) => h("option", { value: tpl.id, text: tpl.minutes ? `${tpl.name} (${tpl.minutes} min)` : tpl.name }));
  select.replaceChildren(select.options[0], ...options);
  select.value = chosen;
}

function renderMine() {
  const list = listBoards();
  const root = $("#my-boards");
  $("#my-empty").hidden = list.length > 0;
  root.replaceChildren(
    ...list.map((b) => {
      const best = b.links.facilitator || b.links.participant || b.links.viewer;
      const title = b.title || t("board.untitled");
      const details = h(
        "details",
        { class: "board-links" },
        h("summary", { text: t("start.mine.links") }),
        ...ROLES.filter((r) => b.links[r]).map((r) => linkRow(r, b.links[r], false)),
      );
      const forget = h("button", { type: "button", class: "btn btn-quiet", text: t("start.mine.forget") });
      forget.setAttribute("aria-label", `${t("start.mine.forget")}: ${title}`);
      forget.addEventListener("click", () => {
        forgetBoard(b.id);
        renderMine();
        $("#live").textContent = t("start.mine.forgotten", { title });
      });
      return h(
        "li",
        { class: "board-card" },
        h("div", { class: "board-card-head" }, h("a", { href: best, class: "board-card-title", text: title }), h("span", { class: "role-badge", text: t(`role.${b.role}`) })),
        h("div", { class: "board-card-actions" }, details, forget),
      );
    }),
  );
}

// SAMSKAP_CREATE=code: the staff code field shows until a code is saved in this browser.
function showCodeField(ask) {
  const field = $("#code-field");
  if (!field) return;
  field.hidden = !ask;
  $("#code-saved").hidden = ask;
  if (ask) $("#code-input").value = "";
}

function askForCode(message, where = $("#create-error")) {
  saveCode("");
  showCodeField(true);
  where.textContent = message;
  where.hidden = false;
  $("#code-input")?.focus();
}

async function main() {
  await initI18n();
  if ($("#code-field")) {
    showCodeField(!savedCode());
    $("#code-change").addEventListener("click", () => {
      showCodeField(true);
      $("#code-input").focus();
    });
  }
  bindLangSelect($("#lang-select"));
  renderMine();
  initImport({
    refused(message) {
      if ($("#code-field")) askForCode(message, $("#import-error"));
    },
    shown(board, report) {
      rememberBoard({ id: board.id, title: board.title, role: "facilitator", links: board.links });
      showCreated(board, $("#imported"), report);
      renderMine();
    },
  });
  // A language switch changes the texts in place (no reload: WCAG 3.2.2, and the new
  // board's links stay on screen); template names come from the server.
  document.addEventListener("langchange", async () => {
    renderMine();
    if (lastCreated) showCreated(lastCreated, $("#created"), [], false);
    try {
      await refreshTemplates();
    } catch {
      /* offline: the names stay in the language they were in */
    }
  });
  const form = $("#create-form");
  const error = $("#create-error");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.hidden = true;
    const title = $("#title-input").value.trim();
    if (!title) {
      error.textContent = t("start.create.title_required");
      error.hidden = false;
      $("#title-input").focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    button.textContent = t("start.create.creating");
    try {
      const body = { title, locale: document.documentElement.lang };
      const template = $("#template-select").value;
      if (template) body.template = template;
      const typed = $("#code-input");
      if (typed && !$("#code-field").hidden && typed.value.trim()) saveCode(typed.value.trim());
      const headers = codeHeaders({ "Content-Type": "application/json" });
      const res = await fetch("/api/boards", { method: "POST", headers, body: JSON.stringify(body) });
      if (!res.ok) {
        const reply = await res.json().catch(() => ({}));
        const words = refusalText(t, res.status, reply);
        if (reply.error === "create_code") {
          askForCode(words);
          return;
        }
        throw new Error(words || String(res.status));
      }
      showCodeField(false);
      const board = await res.json();
      rememberBoard({ id: board.id, title: board.title, role: "facilitator", links: board.links });
      lastCreated = board;
      showCreated(board);
      renderMine();
      form.reset();
    } catch (err) {
      const known = err && err.message && !/^\d+$/.test(err.message) ? err.message : "";
      error.textContent = known || t("start.create.error");
      error.hidden = false;
    } finally {
      button.disabled = false;
      button.textContent = t("start.create.submit");
    }
  });
}

main();
