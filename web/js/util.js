// Small helpers shared by the modules: ids, DOM building, timing.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/** A random id of `n` characters from A-Za-z0-9_- (the server's id alphabet). */
export function randomId(n = 16) {
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  let out = "";
  for (const b of bytes) out += ALPHABET[b & 63];
  return out;
}

export const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** Build an element. Text is always set with textContent, never as markup. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Set a node's text only when it differs (no DOM churn for a screen reader to report). */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Make `nodes` the children of `parent`, in order, moving only what is out of place.
 * A live list (the outline, the people list) is drawn again whenever someone joins or
 * edits; replaceChildren would take every node out, and a field taken out of the page
 * loses the focus and the change being typed in it. Should the focused node have had to
 * move after all, it gets the focus back, with its caret.
 */
export function placeChildren(parent, nodes) {
  const active = document.activeElement;
  const caret = active && typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;
  const wanted = new Set(nodes);
  for (const child of [...parent.childNodes]) if (!wanted.has(child)) child.remove();
  nodes.forEach((node, i) => {
    const here = parent.childNodes[i] || null;
    if (here !== node) parent.insertBefore(node, here);
  });
  if (active && active !== document.activeElement && active.isConnected) {
    active.focus({ preventScroll: true });
    if (caret) active.setSelectionRange(...caret);
  }
}

/** Call `fn` at most every `ms` milliseconds, always with the latest arguments. */
export function throttle(fn, ms) {
  let timer = null;
  let last = 0;
  let args = null;
  const run = () => {
    timer = null;
    last = performance.now();
    const a = args;
    args = null;
    fn(...a);
  };
  const wrapped = (...a) => {
    args = a;
    if (timer) return;
    const wait = Math.max(0, ms - (performance.now() - last));
    timer = setTimeout(run, wait);
  };
  wrapped.flush = () => {
    if (timer) {
      clearTimeout(timer);
      run();
    }
  };
  wrapped.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    args = null;
  };
  return wrapped;
}

export function debounce(fn, ms) {
  let timer = null;
  return (...a) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...a), ms);
  };
}

export function isTextInput(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = target.getAttribute("type") || "text";
    return !["button", "checkbox", "radio", "submit", "reset", "color", "file"].includes(type);
  }
  return false;
}

export function readJSON(storage, key, fallback) {
  try {
    const raw = storage.getItem(key);
    return raw ? JSON.parse(raw) : fallback;
  } catch {
    return fallback;
  }
}

export function writeJSON(storage, key, value) {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: keep working in memory */
  }
}
