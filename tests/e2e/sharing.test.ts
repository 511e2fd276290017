/**
 * Sharing tags and the links after a post in real headless Chromium: the head the server
 * sent, and the head Remix keeps up to date when the reader follows "Next post" without
 * a page load (meta functions then run in the browser, with the root's site data).
 */
import type { Page } from 'playwright-core'
import { describe, expect } from 'vitest'
import { waitForHydration } from '../../other/lib/chromium.ts'
import { test } from '../helpers/fixtures.ts'

const SITE_URL = 'https://journal.example.com'
const EDIT_URL = 'https://git.example.com/me/journal/edit/main/content/'

const head = (page: Page) =>
  page.evaluate(() => {
    const meta = (key: string) =>
      document.head.querySelector(`meta[property="${key}"], meta[name="${key}"]`)?.getAttribute('content') ?? null
    const ld = document.head.querySelector('script[type="application/ld+json"]')?.textContent
    return {
      title: document.title,
      canonical: document.head.querySelector('link[rel="canonical"]')?.getAttribute('href') ?? null,
      ogTitle: meta('og:title'),
      ogUrl: meta('og:url'),
      ogType: meta('og:type'),
      ogImage: meta('og:image'),
      twitterCard: meta('twitter:card'),
      tags: [...document.head.querySelectorAll('meta[property="article:tag"]')].map((tag) =>
        tag.getAttribute('content'),
      ),
      jsonLd: ld ? (JSON.parse(ld) as { '@type': string; headline: string }) : null,
      feeds: [...document.head.querySelectorAll('link[rel="alternate"]')].map((link) => link.getAttribute('type')),
    }
  })

describe('sharing in Chromium', () => {
  test('a post has its sharing tags, and following "Next post" updates them without a page load', async ({
    makeContentDir,
    startServer,
    openBrowserSession,
  }) => {
    const post = (n: number, tags: string) =>
      `---\ntitle: Entry ${n}\ndate: 2026-02-0${n}\ndescription: About ` +
      `entry ${n}.\ntags: [${tags}]\n---\n\nText of entry ${n}.\n`
    const server = await startServer({
      contentDir: makeContentDir({
        'blog/entry-1.mdx': post(1, 'one'),
        'blog/entry-2.mdx': post(2, 'two, shared'),
        'blog/entry-3/index.mdx': post(3, 'three'),
        'blog/entry-4.mdx': '---\ntitle: Draft entry\ndate: 2026-02-04\ndraft: true\n---\n\nNot yet.\n',
      }),
      env: { SITE_URL, CONTENT_EDIT_URL: EDIT_URL, SITE_TITLE: 'The Journal' },
    })
    const { page, pageErrors } = await openBrowserSession(server)
    await page.goto('/blog/entry-1')
    await waitForHydration(page, 'a[rel="next"]')
    expect(await head(page)).toEqual({
      title: 'Entry 1',
      canonical: `${SITE_URL}/blog/entry-1`,
      ogTitle: 'Entry 1',
      ogUrl: `${SITE_URL}/blog/entry-1`,
      ogType: 'article',
      ogImage: `${SITE_URL}/blog/entry-1/og.png`,
      twitterCard: 'summary_large_image',
      tags: ['one'],
      jsonLd: expect.objectContaining({ '@type': 'BlogPosting', headline: 'Entry 1' }),
      feeds: ['application/rss+xml', 'application/atom+xml', 'application/feed+json'],
    })
    expect(await page.locator('a[rel="prev"]').count()).toBe(0)
    expect(await page.getByTestId('edit-link').getAttribute('href')).toBe(`${EDIT_URL}blog/entry-1.mdx`)

    // A client-side navigation: the document stays, React swaps the page and the head.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true))
    await page.locator('a[rel="next"]').click()
    await page.waitForFunction(() => document.title === 'Entry 2')
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true)
    const second = await head(page)
    expect(second.canonical).toBe(`${SITE_URL}/blog/entry-2`)
    expect(second.ogUrl).toBe(`${SITE_URL}/blog/entry-2`)
    expect(second.tags).toEqual(['two', 'shared'])
    expect(second.jsonLd?.headline).toBe('Entry 2')
    expect(await page.locator('a[rel="prev"]').getAttribute('href')).toBe('/blog/entry-1')
    expect(await page.locator('a[rel="next"]').getAttribute('href')).toBe('/blog/entry-3')

    // The newest published post ends the chain: the draft after it is never linked.
    await page.locator('a[rel="next"]').click()
    await page.waitForFunction(() => document.title === 'Entry 3')
    expect(await page.locator('a[rel="next"]').count()).toBe(0)
    expect(await page.getByTestId('edit-link').getAttribute('href')).toBe(`${EDIT_URL}blog/entry-3/index.mdx`)

    // Lists are websites with the site's own card.
    await page.goto('/blog')
    const list = await head(page)
    expect(list).toMatchObject({
      title: 'All posts',
      canonical: `${SITE_URL}/blog`,
      ogType: 'website',
      ogImage: `${SITE_URL}/og.png`,
      jsonLd: null,
    })
    expect(pageErrors).toEqual([])
  })
})
