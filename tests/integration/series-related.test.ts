/**
 * Series and related posts on the real server: a four-part series shown in order with
 * the current part marked and previous/next within it; drafts left out of both; related
 * posts chosen by shared tags and text, never a draft.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'
import { stopServer } from '../helpers/fixtures.ts'

const post = (title: string, date: string, extra = '', body = 'Some words.') =>
  `---\ntitle: "${title}"\ndate: ${date}\n${extra}---\n\n${body}\n`

let server: KilnServer

beforeAll(async () => {
  const contentDir = makeContentDir({
    'blog/kiln-part-one.mdx': post('Kilns: firing clay', '2026-01-04', 'series: "Building a kiln"\nseriesOrder: 1\n'),
    'blog/kiln-part-two.mdx': post('Kilns: the chamber', '2026-01-01', 'series: "Building a kiln"\nseriesOrder: 2\n'),
    'blog/kiln-part-three.mdx': post('Kilns: the burner', '2026-01-03', 'series: "Building a kiln"\nseriesOrder: 3\n'),
    'blog/kiln-part-four.mdx': post('Kilns: first firing', '2026-01-02', 'series: "Building a kiln"\nseriesOrder: 4\n'),
    'blog/kiln-part-draft.mdx': post('Kilns: unfinished', '2026-01-05', 'series: "Building a kiln"\ndraft: true\n'),
    'blog/glaze-basics.mdx': post('Glaze basics', '2026-02-01', 'tags: [ceramics, glaze]\n', 'About glazes.'),
    'blog/glaze-chemistry.mdx': post('Glaze chemistry', '2026-02-02', 'tags: [ceramics, glaze]\n', 'Oxides.'),
    'blog/throwing-pots.mdx': post('Throwing pots', '2026-02-03', 'tags: [ceramics]\n', 'On the wheel.'),
    'blog/glaze-secret.mdx': post('Glaze secrets', '2026-02-04', 'tags: [ceramics, glaze]\ndraft: true\n'),
    'blog/gardening.mdx': post('Gardening', '2026-02-05', 'tags: [garden]\n', 'Tomatoes.'),
  })
  server = await startServer({ contentDir })
})

afterAll(async () => {
  await stopServer(server)
})

async function page(slug: string): Promise<string> {
  const response = await get(server, `/blog/${slug}`)
  expect(response.status, server.output().slice(-2000)).toBe(200)
  return response.text()
}

const section = (html: string, testId: string) =>
  new RegExp(`data-testid="${testId}"[\\s\\S]*?</nav>`).exec(html)?.[0] ?? ''

describe('series', () => {
  it('lists every published part in seriesOrder, marks the current one, links previous and next', async () => {
    const box = section(await page('kiln-part-three'), 'series-box')
    expect(box).toContain('Building a kiln')
    expect(box).toMatch(/part <!-- -->3<!-- --> of <!-- -->4/)
    const titles = [...box.matchAll(/<li>(?:<a[^>]*>|<span[^>]*>)([^<]+)</g)].map((match) => match[1])
    expect(titles).toEqual(['Kilns: firing clay', 'Kilns: the chamber', 'Kilns: the burner', 'Kilns: first firing'])
    expect(box).toMatch(/<span aria-current="page"[^>]*>Kilns: the burner</)
    expect(box).toMatch(
      /data-testid="series-previous"[^>]*href="\/blog\/kiln-part-two"|href="\/blog\/kiln-part-two"[^>]*data-testid="series-previous"/,
    )
    expect(box).toMatch(
      /data-testid="series-next"[^>]*href="\/blog\/kiln-part-four"|href="\/blog\/kiln-part-four"[^>]*data-testid="series-next"/,
    )
    expect(box).not.toContain('unfinished')
  })

  it('shows no series box on a post without one', async () => {
    expect(await page('gardening')).not.toContain('data-testid="series-box"')
  })
})

describe('related posts', () => {
  it('ends a post with up to three related posts by shared tags, never a draft or itself', async () => {
    const related = section(await page('glaze-basics'), 'related-posts')
    const slugs = [...related.matchAll(/href="\/blog\/([^"]+)"/g)].map((match) => match[1])
    expect(slugs[0]).toBe('glaze-chemistry')
    expect(slugs).toContain('throwing-pots')
    expect(slugs.length).toBeLessThanOrEqual(3)
    expect(slugs).not.toContain('glaze-secret')
    expect(slugs).not.toContain('glaze-basics')
  })

  it('finds related posts by text when tags are not shared', async () => {
    const related = section(await page('kiln-part-one'), 'related-posts')
    const slugs = [...related.matchAll(/href="\/blog\/([^"]+)"/g)].map((match) => match[1])
    expect(slugs.length).toBe(3)
    expect(slugs.every((slug) => slug.startsWith('kiln-part-') && slug !== 'kiln-part-draft')).toBe(true)
  })
})
