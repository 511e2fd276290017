/**
 * Word count and reading time, from a post's source. One function for lists and post
 * pages alike, so the two never disagree.
 *
 * Chinese and Japanese have no spaces: a run of their characters is not one word. They
 * are read at about 460 characters a minute (twice 230), so each counts as half a word
 * (a Chinese word averages about 1.7 characters, so the count stays near the number of
 * words too). Thai, Lao, Khmer and Myanmar, alphabets written without spaces, count a
 * word per SOUTHEAST_ASIAN_LETTERS_PER_WORD letters. A 4,000-character Chinese post reads as 9 minutes.
 */
const WORDS_PER_MINUTE = 230
/** Han, kana: characters read per word's time. */
const CJK_CHARS_PER_WORD = 2
/** Letters per word in Thai, Lao, Khmer, Myanmar text (no spaces between words). */
const SOUTHEAST_ASIAN_LETTERS_PER_WORD = 5
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu
const SOUTHEAST_ASIAN = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/gu

export function countWords(source: string): number {
  const prose = source
    .replace(/^---\r?\n[\s\S]*?\r?\n---(?:\r?\n|$)/, '') // frontmatter
    .replace(/^(import|export)\s.*$/gm, '') // ESM lines
    // code: a word per two lines
    .replace(/```[\s\S]*?```/g, (block) => ' '.repeat(Math.ceil(block.split('\n').length / 2)).replace(/ /g, 'x '))
    .replace(/<\/?[A-Za-z][^>]*>/g, ' ') // JSX and HTML tags
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, ' ') // MDX comments
  const cjk = prose.match(CJK)?.length ?? 0
  const southeastAsian = prose.match(SOUTHEAST_ASIAN)?.length ?? 0
  const words = prose
    .replace(CJK, ' ')
    .replace(SOUTHEAST_ASIAN, ' ')
    .match(/[\p{L}\p{N}][\p{L}\p{N}'’_-]*/gu)
  return (
    (words ? words.length : 0) +
    Math.ceil(cjk / CJK_CHARS_PER_WORD) +
    Math.ceil(southeastAsian / SOUTHEAST_ASIAN_LETTERS_PER_WORD)
  )
}

export function readingMinutes(wordCount: number): number {
  return Math.max(1, Math.round(wordCount / WORDS_PER_MINUTE))
}
