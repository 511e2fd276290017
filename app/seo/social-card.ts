/**
 * The social card's design as SVG, a pure function of its text: the site's title above,
 * the title in large type, wrapped, and the site's host below. resvg turns it into a PNG
 * (social-image.server.ts).
 */
export const SOCIAL_IMAGE_WIDTH = 1200
export const SOCIAL_IMAGE_HEIGHT = 630

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * Breaks a title into at most `maxLines` lines of about `maxChars` characters, at spaces
 * where it can; the last line ends with an ellipsis when the title does not fit. SVG has
 * no text wrapping, and an average glyph width is close enough for a card.
 */
export function wrapTitle(title: string, maxChars: number, maxLines: number): { lines: string[]; fits: boolean } {
  const words = title.trim().split(/\s+/).filter(Boolean)
  const lines: string[] = []
  let line = ''
  for (let word of words) {
    // A word longer than a line (a URL, a long identifier) is cut where the line ends.
    while (word.length > maxChars) {
      if (line) {
        lines.push(line)
        line = ''
      }
      lines.push(word.slice(0, maxChars))
      word = word.slice(maxChars)
    }
    if (!line) line = word
    else if (line.length + 1 + word.length <= maxChars) line += ` ${word}`
    else {
      lines.push(line)
      line = word
    }
  }
  if (line) lines.push(line)
  if (lines.length <= maxLines) return { lines, fits: true }
  const kept = lines.slice(0, maxLines)
  const last = kept[maxLines - 1]
  kept[maxLines - 1] = `${last.length + 1 > maxChars ? last.slice(0, maxChars - 1).trimEnd() : last}…`
  return { lines: kept, fits: false }
}

/** The largest font size at which the title fits in four lines (Inter Bold averages ~0.58 em a glyph). */
function layoutTitle(title: string): { size: number; lines: string[] } {
  const width = SOCIAL_IMAGE_WIDTH - 2 * 80
  for (const size of [76, 64, 56, 48]) {
    const wrapped = wrapTitle(title, Math.floor(width / (size * 0.58)), size >= 64 ? 3 : 4)
    if (wrapped.fits) return { size, lines: wrapped.lines }
  }
  return { size: 48, lines: wrapTitle(title, Math.floor(width / (48 * 0.58)), 4).lines }
}

/** The card as SVG: the site's title above, the title in large type, the site's host below. */
export function socialCardSvg({
  siteTitle,
  title,
  footer,
}: {
  siteTitle: string
  title: string
  footer: string
}): string {
  const { size, lines } = layoutTitle(title)
  const lineHeight = Math.round(size * 1.15)
  const blockHeight = lineHeight * lines.length
  const top = Math.round((SOCIAL_IMAGE_HEIGHT - blockHeight) / 2 + size * 0.8)
  const tspans = lines
    .map((line, index) => `<tspan x="80" y="${top + index * lineHeight}">${escapeXml(line)}</tspan>`)
    .join('')
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SOCIAL_IMAGE_WIDTH}" ` +
    `height="${SOCIAL_IMAGE_HEIGHT}" viewBox="0 0 ${SOCIAL_IMAGE_WIDTH} ` +
    `${SOCIAL_IMAGE_HEIGHT}">
<rect width="100%" height="100%" fill="#18181b"/>
<rect x="0" y="0" width="16" height="${SOCIAL_IMAGE_HEIGHT}" fill="#d97706"/>
<text x="80" y="110" font-family="Inter" font-weight="400" font-size="36" ` +
    `fill="#fbbf24">${escapeXml(truncate(siteTitle, 48))}</text>
<text font-family="Inter" font-weight="700" font-size="${size}" fill="#fafafa">${tspans}</text>
<text x="80" y="560" font-family="Inter" font-weight="400" font-size="28" ` +
    `fill="#a1a1aa">${escapeXml(truncate(footer, 64))}</text>
</svg>`
  )
}

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)
