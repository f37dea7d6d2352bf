/**
 * The token of an emailed link (`/link#token=…`, `/unlock#token=…`), from the
 * URL fragment, which the browser never sends to a server (ADR 23). A link
 * mailed before the fragment was used carries it as `?token=`: it is taken
 * from there once, and the address is rewritten to the fragment at once.
 */
export function tokenFromUrl(): string | undefined {
  const url = new URL(window.location.href);
  const fromFragment = new URLSearchParams(url.hash.slice(1)).get("token");
  if (fromFragment !== null && fromFragment !== "") return fromFragment;
  const fromQuery = url.searchParams.get("token");
  if (fromQuery === null || fromQuery === "") return undefined;
  url.searchParams.delete("token");
  url.hash = new URLSearchParams({ token: fromQuery }).toString();
  window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  return fromQuery;
}
