/**
 * Answers no cache may keep: an action's result, a status, a refusal, a health check. Each
 * is about this request at this moment, so it goes out with `Cache-Control: no-store`
 * (a route that must also keep it private passes `private, no-store`). One helper per body
 * kind, so the headers are written once instead of once per route.
 *
 * `headers` are added last: they may add to (Set-Cookie, Retry-After, Allow) or replace
 * (Cache-Control, a Content-Type with a parameter) the defaults.
 */
type ExtraHeaders = Record<string, string>

const NO_STORE = 'no-store'

/** `body` as JSON. */
export function noStoreJson(body: unknown, status = 200, headers: ExtraHeaders = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': NO_STORE, ...headers },
  })
}

/** `body` as plain UTF-8 text. */
export function noStoreText(body: string, status = 200, headers: ExtraHeaders = {}): Response {
  return new Response(body, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': NO_STORE, ...headers },
  })
}

/** `body`, an HTML document already escaped by the caller. */
export function noStoreHtml(body: string, status = 200, headers: ExtraHeaders = {}): Response {
  return new Response(body, {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': NO_STORE, ...headers },
  })
}
