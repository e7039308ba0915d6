// The library's staff code for creating and importing boards (SAMSKAP_CREATE=code).
// Asked for once on the start page and kept in this browser (localStorage), sent as
// the X-Samskap-Create-Code header. Participants never need it: links work without it.

const KEY = "samskap.createCode";

export function savedCode() {
  try {
    return localStorage.getItem(KEY) || "";
  } catch {
    return "";
  }
}

export function saveCode(code) {
  try {
    if (code) localStorage.setItem(KEY, code);
    else localStorage.removeItem(KEY);
  } catch {
    /* private mode: the code lives only in the field */
  }
}

// Headers for a create or import request: the saved code, if there is one.
export function codeHeaders(headers = {}) {
  const code = savedCode();
  return code ? { ...headers, "X-Samskap-Create-Code": code } : headers;
}

// The words for a refused create/import: the staff code, a full disk, or the server's message.
export function refusalText(t, status, body) {
  if (body && body.error === "create_code") return t(savedCode() ? "start.code.wrong" : "start.code.needed");
  if (status === 507 || (body && body.error === "storage_full")) return t("error.storage_full");
  return "";
}
