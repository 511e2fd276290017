/**
 * The highlight worker: shiki runs here and nowhere else. A tinypool thread loads this
 * file; it keeps one highlighter per thread, loads each language the first time a block
 * asks for it (never all of them), and answers with the block as hast. When the pool's
 * idle timeout ends the thread, everything shiki allocated (grammars, the regex engine's
 * memory) goes with it.
 */
import fs from 'node:fs'
import {
  transformerMetaWordHighlight,
  transformerNotationDiff,
  transformerNotationErrorLevel,
  transformerNotationFocus,
  transformerNotationHighlight,
} from '@shikijs/transformers'
import { createHighlighterCore, type HighlighterCore, type ShikiTransformer } from 'shiki/core'
import { bundledLanguages } from 'shiki/langs'
import { bundledThemes } from 'shiki/themes'
import { lineClasses, metaForWordHighlight, parseCodeMeta, preProperties } from '../app/content/code-block.ts'
import { getConfig } from '../app/config.server.ts'
import { SingleFlight } from '../app/utils/single-flight.ts'

export const LIGHT_THEME = 'github-light'
export const DARK_THEME = 'github-dark'

export interface HighlightTask {
  code: string
  lang: string
  meta?: string | null
}

/**
 * A highlighted block comes back as the HTML of its <pre>: a string crosses threads as
 * one copy (an object tree is rebuilt node by node in every thread it passes through,
 * and the main thread, which relays blocks, is where readers are served), and the page
 * inserts it whole, one element instead of one per token.
 */
export type HighlightOutcome =
  { ok: true; html: string; lang: string } | { ok: false; reason: 'unknown-language'; lang: string }

/** 'javascript' (shiki's JS regex engine) or 'oniguruma' (WASM); see the README for the measurement. */
export type EngineName = 'javascript' | 'oniguruma'

let highlighter: Promise<HighlighterCore> | undefined
/** Languages being loaded: blocks of one language that arrive together wait for one load. */
const loadingLanguages = new SingleFlight<void>()

async function createEngine(name: EngineName) {
  if (name === 'oniguruma') {
    const { createOnigurumaEngine } = await import('shiki/engine/oniguruma')
    return createOnigurumaEngine(import('shiki/wasm'))
  }
  const { createJavaScriptRegexEngine } = await import('shiki/engine/javascript')
  return createJavaScriptRegexEngine({ forgiving: true })
}

function engineName(): EngineName {
  return getConfig().highlightEngine
}

function getHighlighter(): Promise<HighlighterCore> {
  highlighter ??= createHighlighterCore({
    themes: [bundledThemes[LIGHT_THEME](), bundledThemes[DARK_THEME]()],
    langs: [],
    engine: createEngine(engineName()),
  })
  return highlighter
}

function isKnownLanguage(lang: string): lang is keyof typeof bundledLanguages {
  return Object.prototype.hasOwnProperty.call(bundledLanguages, lang)
}

async function ensureLanguage(shiki: HighlighterCore, lang: keyof typeof bundledLanguages): Promise<void> {
  if (shiki.getLoadedLanguages().includes(lang)) return
  await loadingLanguages.run(lang, () => shiki.loadLanguage(bundledLanguages[lang]()))
}

/** Marks highlighted lines and diff additions/removals on shiki's line spans, and the block's options on its <pre>. */
function lineTransformer(metaString: string | null | undefined, lang: string): ShikiTransformer {
  const meta = parseCodeMeta(metaString)
  const sourceLines = [] as string[]
  return {
    preprocess(code) {
      sourceLines.push(...code.split('\n'))
    },
    pre(node) {
      Object.assign(node.properties, preProperties(lang, meta))
    },
    line(node, line) {
      // shiki's hast uses the HTML attribute name ("class"), not React's.
      node.properties.class = lineClasses(line, sourceLines[line - 1] ?? '', meta, lang).join(' ')
    },
  }
}

/**
 * The notations authors know from shiki and VitePress, written in the code's own comments:
 * `// [!code highlight]`, `[!code ++]` and `[!code --]` (a diff without a diff block),
 * `[!code focus]`, `[!code error]` and `[!code warning]`, and `/word/` in the fence's
 * meta. The comment is removed from the shown code; the line gets the class the
 * stylesheet draws (app/tailwind.css), the block a `has-…` class. They run after
 * lineTransformer and add to the classes it set.
 */
const NOTATION_TRANSFORMERS: ShikiTransformer[] = [
  transformerNotationDiff(),
  transformerNotationHighlight(),
  transformerNotationFocus(),
  transformerNotationErrorLevel(),
  transformerMetaWordHighlight(),
]

/**
 * Test-only faults (KILN_TEST_FAULTS=1), so the pool's fallbacks are proven with real
 * failures: a job that throws, a thread killed by an uncaught exception mid-job, a thread
 * that exits, and one that never returns. The last two are caught by the job timeout.
 */
async function injectFault(lang: string): Promise<void> {
  if (!getConfig().testFaults) return
  if (lang === 'kiln-test-throw') throw new Error('highlight worker failed on purpose')
  if (lang === 'kiln-test-crash') {
    setImmediate(() => {
      throw new Error('highlight worker crashed on purpose')
    })
    await new Promise(() => {})
  }
  if (lang === 'kiln-test-exit') process.exit(1)
  if (lang === 'kiln-test-hang') for (;;);
}

/**
 * A passing fault (KILN_TEST_FAULTS=1): a block whose code holds `kiln-test-fail-while-flagged`
 * fails to highlight while the file named by KILN_TEST_FAULT_FILE exists, and highlights
 * normally once it is gone, so a provisional compile can be seen replaced.
 */
function injectPassingFault(code: string): void {
  if (!getConfig().testFaults || !code.includes('kiln-test-fail-while-flagged')) return
  const flag = getConfig().testFaultFile
  if (flag && fs.existsSync(flag)) throw new Error('highlight worker failed on purpose while flagged')
}

/** Highlights one block on this thread of the highlight pool (tinypool calls the default export). */
export default async function highlightOnPoolThread({ code, lang, meta }: HighlightTask): Promise<HighlightOutcome> {
  const requested = lang.toLowerCase()
  await injectFault(requested)
  injectPassingFault(code)
  if (!isKnownLanguage(requested)) return { ok: false, reason: 'unknown-language', lang }
  const shiki = await getHighlighter()
  await ensureLanguage(shiki, requested)
  const html = shiki.codeToHtml(code, {
    lang: requested,
    themes: { light: LIGHT_THEME, dark: DARK_THEME },
    // Colours only as CSS variables (--shiki-light, --shiki-dark): the stylesheet picks
    // one by the reader's colour scheme, so there is no flash of the wrong theme.
    defaultColor: false,
    // No time limit per line (shiki's default is 500 ms, after which the rest of the line is
    // left untokenized): on a loaded machine a cold grammar passed it, the comment holding a
    // `[!code ++]` went unseen, and the post was stored with its marks missing. The job's own
    // timeout (HIGHLIGHT_TIMEOUT_MS) guards against a grammar that never ends; a job that
    // passes it fails whole, the block is plain and the compile provisional, redone later.
    tokenizeTimeLimit: 0,
    transformers: [lineTransformer(meta, requested), ...NOTATION_TRANSFORMERS],
    meta: { __raw: metaForWordHighlight(meta) },
  })
  return { ok: true, html, lang: requested }
}
