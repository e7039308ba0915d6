// Downloads that need the link token: fetch with `Authorization: Bearer`, follow the
// progress, and save the answer through a temporary blob link.

/** The file name from Content-Disposition, or `fallback`. */
export function filenameOf(res, fallback) {
  const header = res.headers.get("content-disposition") || "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      /* fall through */
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : fallback;
}

/**
 * Fetch `url` with the token and return {blob, filename}. `progress(state, fraction)`
 * is called with "waiting" (the server is rendering), "receiving" (fraction or null
 * when the size is unknown). A refusal throws an Error with the server's message.
 */
export async function fetchFile(url, token, fallbackName, progress = () => {}) {
  progress("waiting", null);
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      const body = await res.json();
      if (body && body.message) message = body.message;
    } catch {
      /* not JSON */
    }
    const err = new Error(message);
    err.status = res.status;
    throw err;
  }
  const total = Number(res.headers.get("content-length")) || 0;
  const type = res.headers.get("content-type") || "application/octet-stream";
  const chunks = [];
  let received = 0;
  if (res.body && res.body.getReader) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      progress("receiving", total ? received / total : null);
    }
  } else {
    chunks.push(new Uint8Array(await res.arrayBuffer()));
  }
  return { blob: new Blob(chunks, { type }), filename: filenameOf(res, fallbackName) };
}

export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
