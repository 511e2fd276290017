/**
 * The parts a test needs, each made for it and taken down after it (Vitest's test.extend,
 * as the Epic Stack's Playwright fixtures): temporary folders, content folders, content
 * repositories, servers, admin sessions, a browser and its contexts. A test names what it
 * uses and cleans up nothing by hand; a fixture it does not name is never made.
 *
 * Starting a server or a browser costs seconds: a file whose tests share one makes it once,
 * through a file-scoped fixture (`browser`, `fileServer`), or in a `beforeAll` whose
 * `afterAll` calls `stopServer`.
 */
import fs from 'node:fs'
import path from 'node:path'
import { type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { test as base } from 'vitest'
import { makeContentRepo, type ContentRepo } from '../../other/lib/git.ts'
import { DESKTOP } from '../../other/lib/axe.ts'
import { launchChromium } from '../../other/lib/chromium.ts'
import { createAdminAndSignIn } from './auth.ts'
import { startServer, tempDir, writeFiles, type KilnServer, type StartOptions } from './server.ts'

/** Stops a server and removes the temporary folder the starter made for its database. */
export async function stopServer(server: KilnServer | undefined): Promise<void> {
  if (!server) return
  await server.stop()
  const dbDir = path.dirname(server.databasePath)
  if (path.basename(dbDir).startsWith('kiln-db-')) fs.rmSync(dbDir, { recursive: true, force: true })
}

/**
 * A file-scoped fixture: one server for every test of a file that names it, started on
 * first use and stopped after the file. `test.extend({ server: fileServer({ ... }) })`.
 */
export function fileServer(options: StartOptions | (() => StartOptions)) {
  return [
    // eslint-disable-next-line no-empty-pattern
    async ({}, provide: (server: KilnServer) => Promise<void>) => {
      const server = await startServer(typeof options === 'function' ? options() : options)
      try {
        await provide(server)
      } finally {
        await stopServer(server)
      }
    },
    { scope: 'file' },
  ] as const
}

/** A browser page in its own context: cookies, viewport and listeners never leak between tests. */
export interface BrowserSession {
  context: BrowserContext
  page: Page
  /** Uncaught exceptions in the page. */
  pageErrors: string[]
  /** console.error messages. */
  consoleErrors: string[]
  close(): Promise<void>
}

/** Opens a desktop-sized context on `server` with one page that records its errors. */
export async function openBrowserSession(
  browser: Browser,
  server: KilnServer,
  options: BrowserContextOptions = {},
  timeout = 15_000,
): Promise<BrowserSession> {
  const context = await browser.newContext({ viewport: DESKTOP, baseURL: server.url, ...options })
  const page = await context.newPage()
  page.setDefaultTimeout(timeout)
  const pageErrors: string[] = []
  const consoleErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(`${error.name}: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text())
  })
  return { context, page, pageErrors, consoleErrors, close: () => context.close() }
}

/** Runs `body` in a fresh session, always closing it; on failure, adds the server's output to the error. */
export async function withBrowserSession(
  browser: Browser,
  server: KilnServer,
  body: (session: BrowserSession) => Promise<void>,
  options?: BrowserContextOptions,
): Promise<void> {
  const session = await openBrowserSession(browser, server, options)
  try {
    await body(session)
  } catch (error) {
    if (error instanceof Error) error.message += `\n--- server output ---\n${server.output().slice(-4000)}`
    throw error
  } finally {
    await session.close()
  }
}

export interface KilnFixtures {
  /** Makes a temporary folder; each is removed after the test. */
  makeTempDir: (prefix?: string) => string
  /** Makes a temporary content folder holding `files` (path -> text). */
  makeContentDir: (files: Record<string, string>) => string
  /** Makes a content repository (a bare remote and a working clone) in a temporary folder. */
  makeContentRepo: () => ContentRepo
  /** Starts a server; each is stopped (and its temporary database removed) after the test. */
  startServer: (options: StartOptions) => Promise<KilnServer>
  /** Creates an admin on `server` with the real script and signs in through /login: the session's Cookie header. */
  signInAdmin: (server: KilnServer, email?: string, password?: string) => Promise<string>
  /** Opens a browser session on `server` (the file's browser); closed after the test. */
  openBrowserSession: (server: KilnServer, options?: BrowserContextOptions) => Promise<BrowserSession>
}

export interface KilnFileFixtures {
  /** One headless Chromium for the whole file. */
  browser: Browser
}

export const test = base.extend<KilnFixtures & KilnFileFixtures>({
  browser: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, provide) => {
      const browser = await launchChromium()
      try {
        await provide(browser)
      } finally {
        await browser.close()
      }
    },
    { scope: 'file' },
  ],
  // eslint-disable-next-line no-empty-pattern
  makeTempDir: async ({}, provide) => {
    const made: string[] = []
    try {
      await provide((prefix?: string) => {
        const dir = tempDir(prefix)
        made.push(dir)
        return dir
      })
    } finally {
      for (const dir of made) fs.rmSync(dir, { recursive: true, force: true })
    }
  },
  makeContentDir: async ({ makeTempDir }, provide) => {
    await provide((files) => {
      const dir = makeTempDir('kiln-content-')
      writeFiles(dir, files)
      return dir
    })
  },
  makeContentRepo: async ({ makeTempDir }, provide) => {
    await provide(() => makeContentRepo(makeTempDir('kiln-git-')))
  },
  // eslint-disable-next-line no-empty-pattern
  startServer: async ({}, provide) => {
    const started: Promise<KilnServer>[] = []
    try {
      await provide((options) => {
        const server = startServer(options)
        started.push(server)
        return server
      })
    } finally {
      await Promise.all(started.map(async (server) => stopServer(await server.catch(() => undefined))))
    }
  },
  // eslint-disable-next-line no-empty-pattern
  signInAdmin: async ({}, provide) => {
    await provide((server, email = 'admin@example.com', password = 'a long enough password') =>
      createAdminAndSignIn(server, email, password),
    )
  },
  openBrowserSession: async ({ browser }, provide) => {
    const sessions: BrowserSession[] = []
    try {
      await provide(async (server, options) => {
        const session = await openBrowserSession(browser, server, options)
        sessions.push(session)
        return session
      })
    } finally {
      await Promise.all(sessions.map((session) => session.close()))
    }
  },
})
