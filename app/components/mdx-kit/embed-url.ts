/**
 * What an `<Embed url="…">` points at, read from the URL alone: which service, whose, and
 * how to name the link. Pure, so the card renders the same on the server and in the
 * browser, and only http(s) URLs ever become links.
 */
export type EmbedProvider = 'x' | 'mastodon' | 'codepen' | 'codesandbox' | 'link'

export interface EmbedTarget {
  provider: EmbedProvider
  /** The URL as it will be linked (http or https only). */
  href: string
  host: string
  /** The service's name, as readers know it. */
  service: string
  /** What the card says it is: "Post by @ada", "Pen by ada", "Sandbox abc12"… */
  label: string
}

const X_HOSTS = new Set(['x.com', 'twitter.com', 'www.x.com', 'www.twitter.com', 'mobile.twitter.com', 'mobile.x.com'])

/** The embed's target, or a sentence saying why the URL cannot be one. */
export function embedTarget(url: unknown): EmbedTarget | { error: string } {
  if (typeof url !== 'string' || url.trim() === '') return { error: 'needs a url' }
  let parsed: URL
  try {
    parsed = new URL(url.trim())
  } catch {
    return { error: `has a url that is not one: ${JSON.stringify(url)}` }
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return { error: `links only to http(s) addresses, not ${parsed.protocol}` }
  const host = parsed.hostname.toLowerCase()
  const parts = parsed.pathname.split('/').filter(Boolean)
  const href = parsed.href
  if (X_HOSTS.has(host) && parts[1] === 'status' && /^\d+$/.test(parts[2] ?? '')) {
    return { provider: 'x', href, host, service: 'X', label: `Post by @${parts[0]}` }
  }
  // codepen.io/<user>/pen/<id>, and a team's: codepen.io/team/<team>/pen/<id>.
  const pen = parts.findIndex((part) => ['pen', 'full', 'embed', 'details'].includes(part))
  if (host === 'codepen.io' && pen >= 1 && parts[pen + 1]) {
    return { provider: 'codepen', href, host, service: 'CodePen', label: `Pen by ${parts[pen - 1]}` }
  }
  if (host === 'codesandbox.io' || host.endsWith('.csb.app')) {
    const id = host.endsWith('.csb.app') ? host.split('.')[0] : parts[parts.length - 1]
    return { provider: 'codesandbox', href, host, service: 'CodeSandbox', label: id ? `Sandbox ${id}` : 'A sandbox' }
  }
  // Mastodon and its kin: https://host/@user/123 or https://host/users/user/statuses/123.
  const mastodonUser =
    parts[0]?.startsWith('@') && /^\d+$/.test(parts[1] ?? '')
      ? parts[0].slice(1)
      : parts[0] === 'users' && parts[2] === 'statuses' && /^\d+$/.test(parts[3] ?? '')
        ? parts[1]
        : undefined
  if (mastodonUser) {
    return { provider: 'mastodon', href, host, service: 'Mastodon', label: `Post by @${mastodonUser}@${host}` }
  }
  return { provider: 'link', href, host, service: host, label: `A page on ${host}` }
}
