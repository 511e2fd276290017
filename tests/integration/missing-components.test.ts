/**
 * A post that uses undefined components inside JSX attributes and expressions, served by
 * the real server: it renders, each missing component as the labelled amber box, and the
 * page never fails because a component is undefined.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, makeContentDir, startServer, type KilnServer } from '../helpers/server.ts'

let server: KilnServer

const body = [
  'export const Frame = ({ image, children }) => <figure ' +
    'className="frame">{image}<figcaption>{children}</figcaption></figure>',
  'export const Render = ({ render }) => <div className="render">{render()}</div>',
  '',
  'Intro paragraph.',
  '',
  '<Frame image={<BlogImage src="/cat.png" alt="A cat" />}>A caption</Frame>',
  '',
  '{true && <Banner>inside an expression</Banner>}',
  '',
  '<Render render={() => <Chart.Line>from a render prop</Chart.Line>} />',
  '',
  '<Suspense fallback={<Spinner />}>suspended text</Suspense>',
].join('\n')

beforeAll(async () => {
  server = await startServer({
    contentDir: makeContentDir({
      'blog/attributes.mdx': `---\ntitle: Components in attributes\ndate: 2026-01-01\n---\n\n${body}\n`,
    }),
  })
}, 120_000)

afterAll(async () => {
  await server?.stop()
})

describe('missing components inside attributes and expressions', () => {
  it('renders the post with a labelled box for each', async () => {
    const response = await get(server, '/blog/attributes')
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('<figure class="frame">')
    expect(html).toContain('A caption')
    for (const name of ['BlogImage', 'Banner', 'Chart.Line', 'Suspense'])
      expect(html).toContain(`data-missing-component="${name}"`)
    expect(html).toContain('inside an expression')
    expect(html).toContain('from a render prop')
    expect(html).toContain('suspended text')
    expect(server.output()).toMatch(/compiled blog\/attributes\.mdx in \d+ ms with 5 warnings/)
  }, 120_000)
})
