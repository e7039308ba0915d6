// Import on the start page: a JSON backup or an Excalidraw file becomes a new board;
// its three links are shown with the import report (what came in, what was skipped).

import { t } from "./i18n.js";
import { h } from "./util.js";
import { codeHeaders, refusalText } from "./createcode.js";

const $ = (sel) => document.querySelector(sel);
const LIMIT = 50 * 1024 * 1024;

function kindName(kind) {
  const key = `kind.${kind}`;
  const name = t(key);
  return name === key ? kind : name;
}

function counts(map) {
  return Object.entries(map || {})
    .filter(([, n]) => typeof n === "number" && n > 0)
    .map(([kind, n]) => `${kindName(kind)}: ${n}`)
    .join(", ");
}

/** The import report as a few readable lines (counts, then the server's notes). */
export function reportView(report) {
  if (!report || typeof report !== "object") return [];
  const rows = [];
  const imported = counts(report.imported || report.objects);
  if (imported) rows.push(h("li", { text: `${t("import.imported")}: ${imported}` }));
  const merged = counts(report.merged);
  if (merged) rows.push(h("li", { text: `${t("import.merged")}: ${merged}` }));
  const skipped = counts(report.skipped);
  if (skipped) rows.push(h("li", { text: `${t("import.skipped")}: ${skipped}` }));
  if (typeof report.assets === "number" && report.assets) rows.push(h("li", { text: `${t("import.images")}: ${report.assets}` }));
  const notes = Array.isArray(report.notes) ? report.notes.filter((n) => typeof n === "string") : [];
  const out = [h("h3", { class: "import-report-heading", text: t("import.report") })];
  out.push(rows.length ? h("ul", { class: "import-report" }, rows) : h("p", { class: "muted", text: t("import.nothing_to_report") }));
  if (notes.length) {
    out.push(
      h("details", { class: "import-notes" }, h("summary", { text: t("import.details", { n: notes.length }) }), h("ul", {}, notes.slice(0, 200).map((n) => h("li", { text: n })))),
    );
  }
  return [h("div", { class: "import-result" }, out)];
}

export function initImport({ shown, refused }) {
  const form = $("#import-form");
  if (!form) return;
  const input = $("#import-file");
  const error = $("#import-error");
  const status = $("#import-status");
  const chosen = $("#import-file-name");
  const showChosen = () => {
    const file = input.files && input.files[0];
    chosen.textContent = file ? file.name : t("import.no_file");
  };
  input.addEventListener("change", showChosen);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.hidden = true;
    const file = input.files && input.files[0];
    if (!file) {
      error.textContent = t("import.choose");
      error.hidden = false;
      input.focus();
      return;
    }
    if (file.size > LIMIT) {
      error.textContent = t("import.too_large");
      error.hidden = false;
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    status.textContent = t("import.working");
    try {
      const headers = codeHeaders({ "Content-Type": "application/octet-stream" });
      const res = await fetch("/api/boards/import", { method: "POST", headers, body: file });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        const words = refusalText(t, res.status, body);
        if (body.error === "create_code" && refused) {
          status.textContent = "";
          refused(words);
          return;
        }
        const reason = words || (res.status === 413 ? t("import.too_large") : body.message || `HTTP ${res.status}`);
        throw new Error(reason);
      }
      status.textContent = "";
      shown(body, reportView(body.report));
      form.reset();
      showChosen();
    } catch (err) {
      status.textContent = "";
      error.textContent = t("import.failed", { reason: err.message || t("error.network") });
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
}
