// Translations: every visible string lives in /static/i18n/{nb,en}.json.
// Bokmål when the browser prefers nb/no/nn, otherwise English; the choice is remembered.

const LANGS = ["nb", "en"];
const STORE_KEY = "samskap.lang";
let lang = "en";
let strings = {};
let fallback = {};

async function load(code) {
  const res = await fetch(`/static/i18n/${code}.json`, { cache: "no-cache" });
  if (!res.ok) throw new Error(`i18n ${code}: ${res.status}`);
  return res.json();
}

export function chooseLang() {
  try {
    const stored = localStorage.getItem(STORE_KEY);
    if (LANGS.includes(stored)) return stored;
  } catch {
    /* storage disabled */
  }
  for (const tag of navigator.languages || [navigator.language || "en"]) {
    const primary = String(tag).toLowerCase().split("-")[0];
    if (["nb", "no", "nn"].includes(primary)) return "nb";
    if (primary === "en") return "en";
  }
  return "en";
}

export const currentLang = () => lang;
export const languages = () => LANGS.slice();

/** The string for `key` with `{name}` placeholders filled in (values are plain text). */
export function t(key, vars = {}) {
  let s = strings[key] ?? fallback[key] ?? key;
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
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

export async function initI18n() {
  lang = chooseLang();
  [strings, fallback] = await Promise.all([load(lang), lang === "en" ? {} : load("en")]);
  document.documentElement.lang = lang;
  applyDom();
  return lang;
}

export async function setLang(code) {
  if (!LANGS.includes(code)) return;
  try {
    localStorage.setItem(STORE_KEY, code);
  } catch {
    /* storage disabled */
  }
  document.cookie = `samskap_lang=${code}; path=/; max-age=31536000; SameSite=Lax`;
  lang = code;
  [strings, fallback] = await Promise.all([load(code), code === "en" ? {} : load("en")]);
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
