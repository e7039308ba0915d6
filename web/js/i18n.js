// Translations: every visible string lives in /static/i18n/{nb,nn,en}.json.
// Bokmål when the browser prefers nb or no, nynorsk for nn, English for en (and for
// everyone else); the choice is remembered. A key missing in a language is shown in
// bokmål (then English), never as the raw key: see docs/i18n.md.

const LANGS = ["nb", "nn", "en"];
const FALLBACK = "nb";
const ALIASES = { no: "nb", nob: "nb", nno: "nn", eng: "en" };
const STORE_KEY = "samskap.lang";
let lang = "en";
let tables = [];

async function load(code) {
  const res = await fetch(`/static/i18n/${code}.json`, { cache: "no-cache" });
  if (!res.ok) throw new Error(`i18n ${code}: ${res.status}`);
  return res.json();
}

/** Our code for a browser language tag ("nn-NO" → "nn", "no" → "nb"), or null. */
export function matchLang(tag) {
  let primary = String(tag || "").toLowerCase().replace("_", "-").split("-")[0];
  primary = ALIASES[primary] || primary;
  return LANGS.includes(primary) ? primary : null;
}

function storedLang() {
  try {
    const stored = localStorage.getItem(STORE_KEY);
    if (LANGS.includes(stored)) return stored;
  } catch {
    /* storage disabled (e.g. an iframe with third-party storage blocked) */
  }
  try {
    const cookie = /(?:^|;\s*)samskap_lang=([a-z]+)/.exec(document.cookie || "");
    return cookie && LANGS.includes(cookie[1]) ? cookie[1] : null;
  } catch {
    return null; /* a sandboxed frame without cookies */
  }
}

export function chooseLang() {
  const stored = storedLang();
  if (stored) return stored;
  for (const tag of navigator.languages || [navigator.language || "en"]) {
    const code = matchLang(tag);
    if (code) return code;
  }
  return "en";
}

/** The languages to look a key up in, in order: the language, bokmål, English. */
const chain = (code) => [...new Set([code, FALLBACK, "en"])];

async function loadChain(code) {
  // A missing fallback file must not take the page down: the language's own file is enough.
  const results = await Promise.allSettled(chain(code).map(load));
  if (results[0].status === "rejected") throw results[0].reason;
  return results.map((r) => (r.status === "fulfilled" ? r.value : {}));
}

export const currentLang = () => lang;
export const languages = () => LANGS.slice();

/** The string for `key` with `{name}` placeholders filled in (values are plain text). */
export function t(key, vars = {}) {
  let s = key;
  for (const table of tables) {
    if (table[key]) {
      s = table[key];
      break;
    }
  }
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** Words for a server error or refusal: `error.<code>` where the page has them, else
 * the server's own message, else the code. */
export function errorText({ code, message }) {
  const key = `error.${code}`;
  return t(key) === key ? message || code : t(key);
}

/** Fill every element marked with data-i18n* attributes under `root`. */
export function applyDom(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-label]"))
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  for (const node of root.querySelectorAll("[data-i18n-title]"))
    node.setAttribute("title", t(node.dataset.i18nTitle));
  for (const node of root.querySelectorAll("[data-i18n-placeholder]"))
    node.setAttribute("placeholder", t(node.dataset.i18nPlaceholder));
}

let early = null; // {code, tables}: the fetch boot.js started (the board page)

/**
 * Start fetching the language files now (boot.js, before the page's ~80 modules load),
 * so initI18n finds them in: otherwise the fetch starts only after every module ran.
 */
export function prefetchI18n() {
  if (!early) {
    const code = chooseLang();
    early = { code, tables: loadChain(code) };
    early.tables.catch(() => {}); // initI18n reports a failure, if it still wants these
  }
}

export async function initI18n() {
  lang = chooseLang();
  const prefetched = early && early.code === lang ? early.tables : null;
  // A fetch that failed at boot (a moment offline) is tried once more here.
  tables = await (prefetched ? prefetched.catch(() => loadChain(lang)) : loadChain(lang));
  document.documentElement.lang = lang;
  applyDom();
  return lang;
}

export async function setLang(code) {
  if (!LANGS.includes(code)) return;
  try {
    localStorage.setItem(STORE_KEY, code);
  } catch {
    /* storage disabled: the cookie below still carries the choice */
  }
  try {
    document.cookie = `samskap_lang=${code}; path=/; max-age=31536000; SameSite=Lax`;
  } catch {
    /* a sandboxed frame without cookies: the choice lasts for this page */
  }
  lang = code;
  tables = await loadChain(code);
  document.documentElement.lang = code;
  applyDom();
  document.dispatchEvent(new CustomEvent("langchange", { detail: code }));
}

/** Wire a <select> (the language switcher on every page). */
export function bindLangSelect(select) {
  if (!select) return;
  select.value = lang;
  select.addEventListener("change", () => setLang(select.value));
}
