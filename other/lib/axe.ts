/**
 * axe-core over many Kiln pages in headless Chromium, in the light and dark themes: the
 * engine behind `npm run axe:sweep` and tests/e2e/axe-corpus.test.ts. One browser, a
 * few pages at a time; axe.min.js is injected into each page after it hydrates.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { type Browser, type Page } from 'playwright-core'
import { waitForHydration } from './chromium.ts'

const require = createRequire(import.meta.url)
const AXE_PATH = require.resolve('axe-core/axe.min.js')

export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 375, height: 812 }

/**
 * Every step's guard against a hang, not a speed limit: a large post compiles first, and
 * on a busy machine its bundle takes seconds to hydrate.
 */
const PAGE_TIMEOUT_MS = 180_000

export const THEMES = ['light', 'dark'] as const
export type Theme = (typeof THEMES)[number]

export interface AxeNode {
  target: unknown[]
  /** For contrast failures, the colours and the ratio axe found. */
  data?: unknown
}

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: AxeNode[]
}

export interface PageResult {
  pathname: string
  theme: Theme
  status: number
  violations: AxeViolation[]
  /** A navigation or script failure: the page could not be checked. */
  error?: string
}

export const SERIOUS_OR_CRITICAL = ['serious', 'critical'] as const

export function isSeriousOrCritical(violation: AxeViolation): boolean {
  return (SERIOUS_OR_CRITICAL as readonly (string | null)[]).includes(violation.impact)
}

let axeSource: string | undefined

/**
 * The rules (of those axe runs by default) whose outcome depends on the colours, so on the
 * theme: every other rule reads the document's structure, which is the same in both.
 */
export const COLOUR_RULES = ['color-contrast', 'link-in-text-block']

/**
 * Every violation axe finds in the page as it is now (of `rules` only, when given).
 * With `impacts`, the rules whose fixed impact is another are not run: axe gives every
 * violation of a rule that has one that impact (its finalizeRuleResult), so they could only
 * report violations a caller that asks for these impacts would drop. On a long post they
 * were a fifth of a full run; rules without a fixed impact still run.
 * axe.min.js runs through the debugger (page.evaluate), not as a <script> in the page:
 * Kiln's Content-Security-Policy rightly refuses an inline script it did not render.
 */
export async function axeViolations(
  page: Page,
  rules?: string[],
  impacts?: readonly string[],
): Promise<AxeViolation[]> {
  axeSource ??= fs.readFileSync(AXE_PATH, 'utf8')
  await page.evaluate(axeSource)
  return page.evaluate(
    async ({ rules, impacts }) => {
      const axe = (
        window as unknown as {
          axe: {
            run(context: Document, options: object): Promise<{ violations: AxeViolation[] }>
            _audit: { rules: { id: string; impact?: string }[] }
          }
        }
      ).axe
      // Switched off one by one, so every other rule runs exactly as in a default run (which
      // leaves out the experimental ones, as runOnly's list would not).
      const skipped = impacts
        ? axe._audit.rules.filter((rule) => rule.impact && !impacts.includes(rule.impact)).map((rule) => rule.id)
        : []
      const result = await axe.run(document, {
        resultTypes: ['violations'],
        ...(rules ? { runOnly: { type: 'rule', values: rules } } : {}),
        ...(skipped.length > 0 ? { rules: Object.fromEntries(skipped.map((id) => [id, { enabled: false }])) } : {}),
      })
      return result.violations.map(({ id, impact, help, nodes }) => ({
        id,
        impact,
        help,
        nodes: nodes.map((node) => ({
          target: node.target,
          data: (node as unknown as { any: { data?: unknown }[] }).any[0]?.data,
        })),
      }))
    },
    { rules, impacts },
  )
}

export interface SweepOptions {
  browser: Browser
  baseUrl: string
  /** Checked in this order (each in every theme before the next): the heaviest first keeps the tail short. */
  pathnames: string[]
  themes?: readonly Theme[]
  /** Pages open at once, over all themes. */
  concurrency?: number
  /** The window's size: a desktop's by default. */
  viewport?: { width: number; height: number }
  /** Called after each page is checked (for progress). */
  onResult?: (result: PageResult) => void
  /** Only the rules that can report these impacts (see axeViolations); every rule when not given. */
  impacts?: readonly string[]
}

/**
 * Checks every pathname in every theme; one browser context per theme (its cookie), and
 * `concurrency` tabs over all of them, taking (pathname, theme) pairs from one queue.
 * The first theme runs every rule; the others only the colour rules, as the rest would
 * read the same document again (on a long post, axe takes as long as the page's first
 * compile). One queue rather than one theme after the other: a long post's check in
 * each theme is the sweep's longest task, and run one after the other they were most of
 * its time while the other tabs sat idle.
 */
export async function sweepPages({
  browser,
  baseUrl,
  pathnames,
  themes = THEMES,
  concurrency = 2,
  viewport = DESKTOP,
  onResult,
  impacts,
}: SweepOptions): Promise<PageResult[]> {
  const contexts = await Promise.all(
    themes.map(async (theme) => {
      const context = await browser.newContext({ baseURL: baseUrl, viewport })
      await context.addCookies([{ name: 'kiln_theme', value: theme, url: baseUrl }])
      return context
    }),
  )
  const queue = pathnames.flatMap((pathname) => themes.map((theme, index) => ({ pathname, theme, index })))
  const results: PageResult[] = []
  let next = 0
  const worker = async () => {
    while (next < queue.length) {
      const { pathname, theme, index } = queue[next++]
      // A tab for this check only, in its theme's context (its cookie): a long post's tab
      // holds hundreds of MB, and kept open per theme, twice as many such tabs would stay.
      const page = await contexts[index].newPage()
      page.setDefaultTimeout(PAGE_TIMEOUT_MS)
      const result: PageResult = { pathname, theme, status: 0, violations: [] }
      try {
        const response = await page.goto(pathname, { waitUntil: 'load' })
        result.status = response?.status() ?? 0
        await waitForHydration(page, 'header a', PAGE_TIMEOUT_MS)
        const htmlClass = await page.locator('html').getAttribute('class')
        if (htmlClass !== theme)
          throw new Error(`<html class="${htmlClass}"> where the theme cookie asked for ${theme}`)
        result.violations = await axeViolations(page, index === 0 ? undefined : COLOUR_RULES, impacts)
      } catch (error) {
        result.error = error instanceof Error ? error.message.split('\n')[0] : String(error)
      } finally {
        await page.close()
      }
      results.push(result)
      onResult?.(result)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker))
  } finally {
    await Promise.all(contexts.map((context) => context.close()))
  }
  return results
}

/** The addresses to check beyond posts and pages: home, lists, every tag linked from /tags, a search. */
export async function listingPathnames(baseUrl: string, searchQuery: string): Promise<string[]> {
  const tagsHtml = await (await fetch(`${baseUrl}/tags`)).text()
  const tagPaths = [
    ...new Set([...tagsHtml.matchAll(/href="(\/tags\/[^"#?]+)"/g)].map((match) => decodeHtml(match[1]))),
  ]
  return ['/', '/blog', '/tags', ...tagPaths, `/search?q=${encodeURIComponent(searchQuery)}`]
}

function decodeHtml(text: string): string {
  return text
    .replace(/&amp;/g, '&')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
}

export interface RuleRow {
  rule: string
  impact: string
  /** Page and theme pairs where the rule failed. */
  pages: number
  nodes: number
  examplePage: string
  exampleTarget: string
  exampleData: string
}

/** One row per rule and impact, most pages first. */
export function summarize(results: PageResult[]): RuleRow[] {
  const rows = new Map<string, RuleRow>()
  for (const result of results) {
    for (const violation of result.violations) {
      const impact = violation.impact ?? 'unknown'
      const key = `${violation.id} ${impact}`
      let row = rows.get(key)
      if (!row) {
        const node = violation.nodes[0]
        row = {
          rule: violation.id,
          impact,
          pages: 0,
          nodes: 0,
          examplePage: `${result.pathname} (${result.theme})`,
          exampleTarget: JSON.stringify(node?.target ?? []),
          exampleData: node?.data ? JSON.stringify(node.data) : '',
        }
        rows.set(key, row)
      }
      row.pages += 1
      row.nodes += violation.nodes.length
    }
  }
  const rank: Record<string, number> = { critical: 0, serious: 1, moderate: 2, minor: 3 }
  return [...rows.values()].sort(
    (a, b) => (rank[a.impact] ?? 4) - (rank[b.impact] ?? 4) || b.pages - a.pages || a.rule.localeCompare(b.rule),
  )
}

export function formatTable(rows: RuleRow[]): string {
  const header = ['rule', 'impact', 'pages', 'nodes', 'example page', 'example target']
  const cells = rows.map((row) => [
    row.rule,
    row.impact,
    String(row.pages),
    String(row.nodes),
    row.examplePage,
    clip(row.exampleTarget, 80) + (row.exampleData ? ` ${clip(row.exampleData, 120)}` : ''),
  ])
  const widths = header
    .slice(0, -1)
    .map((title, column) => Math.max(title.length, ...cells.map((row) => row[column].length)))
  const line = (row: string[]) =>
    row.map((cell, column) => (column < widths.length ? cell.padEnd(widths[column]) : cell)).join('  ')
  return [
    line(header),
    line(header.map((title, column) => '-'.repeat(column < widths.length ? widths[column] : title.length))),
    ...cells.map(line),
  ].join('\n')
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
