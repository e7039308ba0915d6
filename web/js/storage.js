// Storage that always works. Where the browser blocks localStorage or sessionStorage
// (Samskap inside a Teams tab or another site's iframe with third-party storage
// blocked, or a locked-down profile), touching them throws. This module, imported
// first by every page, puts an in-memory stand-in in their place: the board works
// fully; what would have been remembered (the name, the language, "my boards", the
// offline queue) lasts until the page is closed, so the name is asked again next time.

function memoryStorage() {
  const data = new Map();
  return {
    get length() {
      return data.size;
    },
    key: (i) => [...data.keys()][i] ?? null,
    getItem: (k) => (data.has(String(k)) ? data.get(String(k)) : null),
    setItem: (k, v) => void data.set(String(k), String(v)),
    removeItem: (k) => void data.delete(String(k)),
    clear: () => data.clear(),
  };
}

function usable(name) {
  try {
    const store = window[name];
    const probe = "samskap.probe";
    store.setItem(probe, "1");
    store.removeItem(probe);
    return true;
  } catch {
    return false;
  }
}

/** Which of the two storages had to be replaced (for tests and the board's status). */
export const replaced = [];

for (const name of ["localStorage", "sessionStorage"]) {
  if (usable(name)) continue;
  try {
    Object.defineProperty(window, name, { value: memoryStorage(), configurable: true });
    replaced.push(name);
  } catch {
    /* cannot happen in the browsers we support; the page then fails as before */
  }
}
window.samskapStorageReplaced = replaced.slice();
