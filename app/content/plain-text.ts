/**
 * Characters no document Kiln writes can carry: the C0 controls but tab, newline and
 * carriage return, U+FFFE and U+FFFF (all forbidden in XML 1.0, so one of them in a title
 * made every feed unreadable), and lone UTF-16 surrogates (not text at all: they cannot be
 * encoded as UTF-8, and encodeURIComponent throws on them, which took the post's page,
 * the feeds and the sitemap down with a 500). Pure: runs on the server and in the browser.
 */
const UNCARRIABLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** `text` without the characters XML and UTF-8 cannot carry; everything else as it was. */
export function stripUncarriable(text: string): string {
  return text.replace(UNCARRIABLE, '')
}
