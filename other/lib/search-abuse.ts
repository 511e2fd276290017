/**
 * Search queries an attacker would send: many terms, common and repeated words, one-letter
 * prefixes, every FTS5 operator, very long terms. Shared by the search budget test
 * (tests/integration/security-search-budget.test.ts) and its benchmark
 * (other/bench-search-abuse.ts), so the benchmark measures what the test attacks with.
 */
const letters = 'abcdefghijklmnopqrstuvwxyz'.split('')
const repeat = (word: string, times: number) => Array.from({ length: times }, () => word).join(' ')

export const ADVERSARIAL_QUERIES: { name: string; query: string }[] = [
  { name: 'one-letter prefix', query: 'a' },
  { name: 'one letter, every letter', query: letters.join(' ') },
  { name: 'one-letter terms x100', query: Array.from({ length: 100 }, (_, i) => letters[i % 26]).join(' ') },
  { name: '"the" x300', query: repeat('the', 300) },
  {
    name: 'common words x100',
    query: Array.from(
      { length: 100 },
      (_, i) => ['the', 'a', 'to', 'of', 'and', 'is', 'in', 'it', 'you', 'that'][i % 10],
    ).join(' '),
  },
  { name: 'prefixes a* b* c*', query: letters.map((letter) => `${letter}*`).join(' ') },
  {
    name: 'operators',
    query:
      'react OR state NOT effect AND NEAR(use effect, 2) title:hook ' +
      '^start "phrase * here" (a OR b) -x +y {title body}: z',
  },
  { name: 'NEAR x50', query: repeat('NEAR(a b c d e f g h i j, 0)', 50) },
  { name: 'OR chain', query: repeat('a OR', 200) },
  { name: '200-char term', query: 'r'.repeat(200) },
  { name: '200-char terms x20', query: Array.from({ length: 20 }, (_, i) => letters[i].repeat(200)).join(' ') },
  { name: '10,000-char query', query: repeat('use', 2500) },
  { name: 'quotes and stars', query: repeat('"*"', 300) },
  { name: 'digits', query: Array.from({ length: 200 }, (_, i) => String(i)).join(' ') },
  { name: 'unicode', query: repeat('ä ß 日本 🙂', 100) },
]
