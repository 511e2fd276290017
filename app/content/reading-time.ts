/**
 * Word count and reading time, from a post's source. One function for lists and post
 * pages alike, so the two never disagree.
 */
const WORDS_PER_MINUTE = 230

export function countWords(source: string): number {
  const prose = source
    .replace(/^---\r?\n[\s\S]*?\r?\n---(?:\r?\n|$)/, '') // frontmatter
    .replace(/^(import|export)\s.*$/gm, '') // ESM lines
    // code: a word per two lines
    .replace(/```[\s\S]*?```/g, (block) => ' '.repeat(Math.ceil(block.split('\n').length / 2)).replace(/ /g, 'x '))
    .replace(/<\/?[A-Za-z][^>]*>/g, ' ') // JSX and HTML tags
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, ' ') // MDX comments
  const words = prose.match(/[\p{L}\p{N}][\p{L}\p{N}'’_-]*/gu)
  return words ? words.length : 0
}

export function readingMinutes(wordCount: number): number {
  return Math.max(1, Math.round(wordCount / WORDS_PER_MINUTE))
}
