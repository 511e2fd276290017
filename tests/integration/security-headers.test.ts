/**
 * Security headers on every kind of answer of the real server, by content, not presence:
 * pages, data requests, feeds, assets, errors, 404s, 403 and 413 answers. A document's
 * Content-Security-Policy allows exactly the inline scripts Kiln rendered (their hashes
 * match the body) on a page-cache miss, a hit and a 304; a script that reached the page
 * any other way gets no hash.
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTRA_POSTS, inlineScripts, parsePolicy, sha256Source } from '../helpers/csp.ts'
import {
  copyDir,
  get,
  makeContentDir,
  repoRoot,
  sampleContentDir,
  startServer,
  type KilnServer,
} from '../helpers/server.ts'

const SITE_URL = 'https://blog.example.test'

let server: KilnServer
let contentDir: string
const assets = fs.readdirSync(path.join(repoRoot, 'build', 'client', 'assets'))
const anAsset = (ext: string) => `/assets/${assets.find((name) => name.endsWith(ext))}`

beforeAll(async () => {
  contentDir = makeContentDir(EXTRA_POSTS)
  copyDir(sampleContentDir, contentDir)
  server = await startServer({
    contentDir,
    env: { SITE_URL, SESSION_COOKIE_SECURE: '0', REFRESH_SECRET: 'a webhook secret' },
  })
})

afterAll(async () => {
  await server?.stop()
  fs.rmSync(contentDir, { recursive: true, force: true })
})

/** A GET over node:http, its answer as a body-less Response (for its status and headers). */
function rawHead(target: KilnServer, pathname: string, headers: Record<string, string>): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: target.port, path: pathname, headers }, (answer) => {
      answer.resume()
      const copied = new Headers()
      for (const [name, value] of Object.entries(answer.headers))
        for (const each of [value ?? []].flat()) copied.append(name, each)
      resolve(new Response(null, { status: answer.statusCode, headers: copied }))
    })
    request.on('error', reject)
  })
}

/** The headers every answer carries, checked by their content. */
function expectSecurityHeaders(response: Response, what: string, { hsts = true } = {}) {
  const headers = response.headers
  expect(headers.get('x-content-type-options'), what).toBe('nosniff')
  expect(headers.get('referrer-policy'), what).toBe('strict-origin-when-cross-origin')
  expect(headers.get('cross-origin-opener-policy'), what).toBe('same-origin')
  expect(headers.get('x-frame-options'), what).toBe('DENY')
  // Headers for browsers and plug-ins that are gone: bytes on every answer, no protection.
  for (const legacy of [
    'x-xss-protection',
    'x-download-options',
    'x-permitted-cross-domain-policies',
    'x-dns-prefetch-control',
  ])
    expect(headers.get(legacy), what).toBeNull()
  const permissions = headers.get('permissions-policy') ?? ''
  for (const feature of ['camera', 'microphone', 'geolocation']) expect(permissions, what).toContain(`${feature}=()`)
  if (hsts) expect(headers.get('strict-transport-security'), what).toMatch(/^max-age=(\d+)/)
  if (hsts)
    expect(
      Number(/max-age=(\d+)/.exec(headers.get('strict-transport-security') ?? '')?.[1]),
      what,
    ).toBeGreaterThanOrEqual(31_536_000)
  else expect(headers.get('strict-transport-security'), what).toBeNull()

  // One policy, not two (a browser would enforce both), with every directive that matters.
  const header = headers.get('content-security-policy')
  expect(header, what).not.toContain(',')
  const policy = parsePolicy(header)
  const scripts = policy.get('script-src') ?? []
  expect(scripts[0], what).toBe("'self'")
  for (const source of scripts.slice(1)) expect(source, what).toMatch(/^'sha256-[A-Za-z0-9+/]{43}='$/)
  expect(header, what).not.toContain("'unsafe-eval'")
  expect(scripts, what).not.toContain("'unsafe-inline'")
  expect(policy.get('default-src'), what).toEqual(["'self'"])
  // No inline event handler: script-src-attr is 'none', or absent and so script-src, whose
  // hashes allow no handler without 'unsafe-hashes'.
  expect(scripts, what).not.toContain("'unsafe-hashes'")
  expect(policy.get('script-src-attr') ?? ["'none'"], what).toEqual(["'none'"])
  expect(policy.get('frame-ancestors'), what).toEqual(["'none'"])
  expect(policy.get('base-uri'), what).toEqual(["'none'"])
  expect(policy.get('object-src'), what).toEqual(["'none'"])
  expect(policy.get('form-action'), what).toEqual(["'self'"])
  // Directives left out fall back to default-src ('self'): each is either absent or 'self'.
  for (const directive of ['connect-src', 'font-src', 'manifest-src', 'worker-src'])
    expect(policy.get(directive) ?? ["'self'"], `${what}: ${directive}`).toEqual(["'self'"])
  expect(policy.get('img-src'), what).toEqual(["'self'", 'https:', 'data:'])
  expect(policy.get('style-src'), what).toEqual(["'self'", "'unsafe-inline'"])
  expect(policy.get('frame-src'), what).toEqual([
    'https://www.youtube-nocookie.com',
    'https://www.youtube.com',
    'https://player.vimeo.com',
    'https://codesandbox.io',
    'https://stackblitz.com',
    'https://codepen.io',
  ])
  return policy
}

/** A document's script-src hashes are exactly the hashes of the inline scripts in its body. */
function expectHashesMatch(policy: Map<string, string[]>, html: string, what: string) {
  const hashes = new Set((policy.get('script-src') ?? []).slice(1))
  const scripts = inlineScripts(html)
  expect(scripts.length, what).toBeGreaterThanOrEqual(3)
  expect(new Set(scripts.map(sha256Source)), what).toEqual(hashes)
  // The render's marker is gone: no nonce is ever sent.
  expect(html, what).not.toMatch(/\snonce=/)
}

describe('every kind of answer', () => {
  const documents = [
    '/',
    '/blog',
    '/blog/zz-embeds',
    '/blog/code-highlighting',
    '/tags',
    '/tags/embeds',
    '/about',
    '/search?q=kiln',
    '/login',
    '/blog?tag=embeds',
  ]

  it("pages: the headers, and a policy whose hashes are those of the page's inline scripts", async () => {
    for (const pathname of documents) {
      const response = await get(server, pathname)
      expect(response.status, pathname).toBe(200)
      const policy = expectSecurityHeaders(response, pathname)
      expectHashesMatch(policy, await response.text(), pathname)
    }
  })

  it('error pages: 404, a broken post, an unsafe path', async () => {
    for (const [pathname, status] of [
      ['/no-such-page', 404],
      ['/blog/no-such-post', 404],
      ['/blog/zz-broken', 500],
      ['/blog/..%2fadmin', 404],
    ] as const) {
      const response = await get(server, pathname)
      expect(response.status, pathname).toBe(status)
      const policy = expectSecurityHeaders(response, pathname)
      expectHashesMatch(policy, await response.text(), pathname)
    }
  })

  it('data requests, feeds, sitemap, robots, images, static files and build assets', async () => {
    const others = [
      '/_root.data',
      '/blog/zz-embeds.data',
      '/search.data?q=kiln',
      '/blog/rss.xml',
      '/blog/atom.xml',
      '/blog/feed.json',
      '/sitemap.xml',
      '/robots.txt',
      '/og.png',
      '/blog/zz-embeds/og.png',
      '/favicon.svg',
      '/healthcheck',
      anAsset('.js'),
      anAsset('.css'),
      '/assets/no-such-file.js',
      '/admin',
      '/admin.data',
      '/admin/heapsnapshot',
    ]
    for (const pathname of others) {
      for (const encoding of ['br', 'identity']) {
        const response = await get(server, pathname, { headers: { 'Accept-Encoding': encoding } })
        expect(response.status, pathname).toBeLessThan(500)
        const policy = expectSecurityHeaders(response, `${pathname} (${encoding})`)
        const body = await response.text()
        // Nothing but a document (a missing asset's 404 page is one) has inline scripts to allow.
        if (response.headers.get('content-type')?.startsWith('text/html')) expectHashesMatch(policy, body, pathname)
        else expect(policy.get('script-src'), pathname).toEqual(["'self'"])
      }
    }
  })

  it(
    'answers from middleware and actions: 403 for a cross-site ' + 'write, 413 for a big body, 405, HEAD and 304',
    async () => {
      const crossSite = await get(server, '/action/theme', {
        method: 'POST',
        headers: { Origin: 'https://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'theme=dark',
      })
      expect(crossSite.status).toBe(403)
      expectSecurityHeaders(crossSite, '403')

      const tooBig = await get(server, '/action/refresh-content', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: 'x'.repeat(1024 * 1024 + 10),
      })
      expect(tooBig.status).toBe(413)
      expectSecurityHeaders(tooBig, '413')

      const wrongMethod = await get(server, '/action/view/zz-embeds')
      expect(wrongMethod.status).toBe(405)
      expectSecurityHeaders(wrongMethod, '405')

      const head = await get(server, '/blog', { method: 'HEAD' })
      expectSecurityHeaders(head, 'HEAD')

      const asset = await get(server, anAsset('.js'), { headers: { 'Accept-Encoding': 'identity' } })
      // Over plain http: fetch adds Cache-Control: no-cache to a conditional request, and static files honour it.
      const notModified = await rawHead(server, anAsset('.js'), {
        'Accept-Encoding': 'identity',
        'If-None-Match': asset.headers.get('etag')!,
      })
      expect(notModified.status).toBe(304)
      expectSecurityHeaders(notModified, 'asset 304')
    },
  )
})

describe('the page cache keeps each page with its own policy', () => {
  it('a miss, then a hit, then a 304: the same policy, matching the same body', async () => {
    for (const theme of ['', 'kiln_theme=dark', 'kiln_theme=light']) {
      for (const pathname of ['/blog/zz-embeds', '/about', '/tags']) {
        const headers: Record<string, string> = theme ? { Cookie: theme } : {}
        // Another theme's key is fresh for each loop; the first answer of a key renders it.
        const first = await get(server, pathname, { headers })
        const firstBody = await first.text()
        const second = await get(server, pathname, { headers })
        const secondBody = await second.text()
        const what = `${pathname} ${theme}`
        expect(second.headers.get('x-kiln-cache'), what).toBe('hit')
        expect(['miss', 'hit'], what).toContain(first.headers.get('x-kiln-cache'))
        expectHashesMatch(expectSecurityHeaders(first, what), firstBody, what)
        expectHashesMatch(expectSecurityHeaders(second, what), secondBody, what)
        expect(second.headers.get('content-security-policy'), what).toBe(first.headers.get('content-security-policy'))

        const revalidated = await get(server, pathname, {
          headers: { ...headers, 'If-None-Match': second.headers.get('etag')! },
        })
        expect(revalidated.status, what).toBe(304)
        // A browser refreshes its stored headers from a 304: it must carry the stored page's policy.
        expect(revalidated.headers.get('content-security-policy'), what).toBe(
          second.headers.get('content-security-policy'),
        )
      }
    }
  })

  it('a page rendered again (not from the cache) gets the hashes of its new scripts', async () => {
    // Signed-in requests bypass the cache: each is a fresh render with its own marker.
    const cookie = { Cookie: 'kiln_session=not-a-real-session' }
    const a = await get(server, '/blog/zz-embeds', { headers: cookie })
    const b = await get(server, '/blog/zz-embeds', { headers: cookie })
    expect(a.headers.get('x-kiln-cache')).toBe('bypass')
    expectHashesMatch(expectSecurityHeaders(a, 'bypass a'), await a.text(), 'bypass a')
    expectHashesMatch(expectSecurityHeaders(b, 'bypass b'), await b.text(), 'bypass b')
  })
})

describe("only Kiln's own inline scripts are allowed", () => {
  it('a script written into a post by any other way gets no hash', async () => {
    const response = await get(server, '/blog/zz-injected')
    expect(response.status).toBe(200)
    const html = await response.text()
    const injected = inlineScripts(html).find((text) => text.includes('window.kilnInjected'))
    expect(injected).toBeDefined()
    const hashes = parsePolicy(response.headers.get('content-security-policy')).get('script-src') ?? []
    expect(hashes).not.toContain(sha256Source(injected!))
    // Remix's own scripts on the same page are all allowed.
    for (const text of inlineScripts(html).filter((script) => script !== injected))
      expect(hashes).toContain(sha256Source(text))
  })
})

describe('posts run without eval', () => {
  it(
    "a post's compiled code is a module from this site: JavaScript, " +
      'immutable at its version, the current code at an old one',
    async () => {
      const page = await (await get(server, '/blog/zz-embeds')).text()
      const moduleUrl = /data-mdx-module="([^"]+)"/.exec(page)?.[1]
      expect(moduleUrl).toMatch(/^\/mdx\/post\/zz-embeds\/[\w-]{22}\.js$/)
      const current = await get(server, moduleUrl!)
      expect(current.status).toBe(200)
      expect(current.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
      expect(current.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expectSecurityHeaders(current, 'module')
      const source = await current.text()
      expect(source.startsWith('export default function (React, ReactDOM, _jsx_runtime) {')).toBe(true)
      const stale = await get(server, '/mdx/post/zz-embeds/an-older-version.js')
      expect(stale.status).toBe(200)
      expect(stale.headers.get('cache-control')).toBe('no-cache')
      expect(await stale.text()).toBe(source)
      for (const missing of ['/mdx/post/no-such-post/x.js', '/mdx/other/zz-embeds/x.js', '/mdx/post/zz-embeds/x.txt']) {
        expect((await get(server, missing)).status, missing).toBe(404)
      }
    },
  )
})

describe('configuration', () => {
  it(
    'no Strict-Transport-Security for an http site; CSP_FRAME_SRC ' +
      'sets frame-src; a bad CSP_FRAME_SRC stops the start',
    async () => {
      const plain = await startServer({
        contentDir,
        env: { SESSION_COOKIE_SECURE: '0', CSP_FRAME_SRC: 'https://embed.example.com https://*.widgets.example:8443' },
      })
      try {
        const response = await get(plain, '/blog/zz-embeds')
        expect(response.headers.get('strict-transport-security')).toBeNull()
        const policy = parsePolicy(response.headers.get('content-security-policy'))
        expect(policy.get('frame-src')).toEqual(['https://embed.example.com', 'https://*.widgets.example:8443'])
        expect(policy.has('upgrade-insecure-requests')).toBe(false)
        expectHashesMatch(policy, await response.text(), 'plain http')
      } finally {
        await plain.stop()
      }
      const none = await startServer({ contentDir, env: { SESSION_COOKIE_SECURE: '0', CSP_FRAME_SRC: 'none' } })
      try {
        expect(parsePolicy((await get(none, '/')).headers.get('content-security-policy')).get('frame-src')).toEqual([
          "'none'",
        ])
      } finally {
        await none.stop()
      }
      await expect(
        startServer({ contentDir, env: { CSP_FRAME_SRC: "https://ok.example; script-src 'unsafe-inline'" } }),
      ).rejects.toThrow(/CSP_FRAME_SRC must be space-separated origins/)
    },
  )

  it('an https site asks for https everywhere', async () => {
    const response = await get(server, '/')
    expect(parsePolicy(response.headers.get('content-security-policy')).has('upgrade-insecure-requests')).toBe(true)
    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000')
  })
})
