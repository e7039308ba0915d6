// The server's version under an open page. When it changes (the installation was
// upgraded while the page was open), a banner says so in words and offers a reload,
// instead of the old page misbehaving against a new server. Edits not yet saved are
// kept in sessionStorage and sent again after the reload (protocol.js).
//
// The version comes from `welcome.version` where the server sends it, otherwise from
// the `X-Samskap-Version` header that every HTTP answer carries (asked after each
// reconnect, which is when an upgrade shows).

export function pageVersion(doc = document) {
  return doc.querySelector('meta[name="samskap-version"]')?.content || "";
}

export function watchVersion(conn, { banner, current = pageVersion(), fetcher = fetch } = {}) {
  if (!current || !banner) return;
  let first = true;
  const compare = (version) => {
    if (version && version !== current && banner.hidden) {
      banner.hidden = false;
      banner.dataset.version = version;
    }
  };
  conn.addEventListener("welcome", async (e) => {
    const wasFirst = first;
    first = false;
    if (typeof e.detail.version === "string") return compare(e.detail.version);
    if (wasFirst) return; // the page was just served by this installation
    try {
      const answer = await fetcher("/healthz", { cache: "no-store" });
      compare(answer.headers.get("x-samskap-version"));
    } catch {
      // Offline again: the next welcome asks again.
    }
  });
  banner.querySelector("button")?.addEventListener("click", () => location.reload());
}
