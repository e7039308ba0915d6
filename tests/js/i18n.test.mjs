// i18n fallback (docs/i18n.md): a key a language lacks is shown in bokmål, then English,
// never as the raw key; a missing fallback file does not take the page down. The
// shipped web/js/i18n.js runs over the shipped web/i18n/*.json, served by a stand-in
// for the browser's fetch (the one thing Node lacks), with keys taken out where a
// test says so.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { beforeEach, test } from "node:test";

const files = Object.fromEntries(["nb", "nn", "en"].map((code) => [code, JSON.parse(readFileSync(new URL(`../../web/i18n/${code}.json`, import.meta.url), "utf8"))]));
let served = {};
const storage = new Map();

// The browser around the module: fetch of /static/i18n/*.json, storage, the document.
globalThis.fetch = async (url) => {
  const code = /\/static\/i18n\/([a-z]+)\.json$/.exec(url)?.[1];
  const table = served[code];
  return { ok: !!table, status: table ? 200 : 404, json: async () => structuredClone(table) };
};
globalThis.localStorage = { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, String(v)) };
Object.defineProperty(globalThis, "navigator", { value: { languages: ["en-GB"] }, writable: true, configurable: true });
globalThis.document = { cookie: "", documentElement: {}, querySelectorAll: () => [], dispatchEvent: () => true };
globalThis.CustomEvent = class extends Event {
  constructor(type, init) {
    super(type);
    this.detail = init?.detail;
  }
};

const i18n = await import("../../web/js/i18n.js");

beforeEach(() => {
  served = structuredClone(files);
  storage.clear();
  document.cookie = "";
});

const without = (code, key) => delete served[code][key];
// A key every language has, with different words in each (so the source is visible).
const KEY = Object.keys(files.nb).find((k) => files.nb[k] !== files.nn[k] && files.nb[k] !== files.en[k] && files.nn[k] !== files.en[k] && !files.nb[k].includes("{"));

test("the language's own words come first", async () => {
  assert.ok(KEY, "a key with different words in each language");
  await i18n.setLang("nn");
  assert.equal(i18n.currentLang(), "nn");
  assert.equal(i18n.t(KEY), files.nn[KEY]);
});

test("a key nynorsk lacks is shown in bokmål", async () => {
  without("nn", KEY);
  await i18n.setLang("nn");
  assert.equal(i18n.t(KEY), files.nb[KEY]);
});

test("a key English lacks is shown in bokmål, one bokmål lacks in English", async () => {
  without("en", KEY);
  await i18n.setLang("en");
  assert.equal(i18n.t(KEY), files.nb[KEY]);
  served = structuredClone(files);
  without("nn", KEY);
  without("nb", KEY);
  await i18n.setLang("nn");
  assert.equal(i18n.t(KEY), files.en[KEY]);
});

test("a key nobody has is the key itself, placeholders still filled", async () => {
  await i18n.setLang("nb");
  assert.equal(i18n.t("no.such.key"), "no.such.key");
  const withVars = Object.keys(files.nb).find((k) => files.nb[k].includes("{n}"));
  assert.ok(!i18n.t(withVars, { n: 3 }).includes("{n}"));
  assert.ok(i18n.t(withVars, { n: 3 }).includes("3"));
});

test("a missing fallback file does not take the page down", async () => {
  delete served.nb;
  delete served.en;
  await i18n.setLang("nn");
  assert.equal(i18n.t(KEY), files.nn[KEY]);
});

test("the language's own file missing is an error, not a page of raw keys", async () => {
  delete served.nn;
  await assert.rejects(i18n.setLang("nn"));
});

test("the browser's languages choose: no → bokmål, nn-NO → nynorsk, else English", () => {
  assert.equal(i18n.matchLang("nn-NO"), "nn");
  assert.equal(i18n.matchLang("no"), "nb");
  assert.equal(i18n.matchLang("nb_NO"), "nb");
  assert.equal(i18n.matchLang("sv-SE"), null);
  navigator.languages = ["sv-SE", "nn-NO", "en"];
  assert.equal(i18n.chooseLang(), "nn");
  navigator.languages = ["de-DE"];
  assert.equal(i18n.chooseLang(), "en");
});

test("a remembered choice wins over the browser's languages", async () => {
  navigator.languages = ["en-GB"];
  await i18n.setLang("nn");
  assert.equal(i18n.chooseLang(), "nn");
  storage.clear();
  assert.equal(i18n.chooseLang(), "nn", "the cookie carries it when storage forgot");
});
