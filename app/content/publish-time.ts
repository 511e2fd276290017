/**
 * When a post goes public: the instant its frontmatter `date` names. A date may carry a
 * time and a zone (`2026-12-24T09:00:00+01:00`); a bare date (`2026-12-24`) or a time
 * without a zone is wall-clock time in the site's zone (SITE_TIMEZONE), so an author in
 * Paris who writes `2026-12-24` gets midnight in Paris, not in London. The instant is
 * stored with the index (content_entries.publish_at, UTC milliseconds) and a post whose
 * instant is still ahead is hidden like a draft until then (schedule.server.ts).
 *
 * Pure functions over Intl: no date library, and the zone rules are the runtime's own
 * (ICU), the same ones the dates on the page are formatted with.
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/

/** True when the runtime knows the IANA zone (`Europe/Paris`, `UTC`, `America/New_York`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
    return true
  } catch {
    return false
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** The zone's offset from UTC at `instant`, in milliseconds (east positive). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  let format = formatters.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, format)
  }
  const parts: Record<string, number> = {}
  for (const part of format.formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value)
  }
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second)
  // Formatting drops the milliseconds: compare whole seconds.
  return wall - Math.floor(instant / 1000) * 1000
}

/**
 * The instant a wall-clock time in `timeZone` names. A time skipped by a clock change (02:30
 * on a spring-forward night) is read with the offset before the change, so it lands just
 * after the gap; a time that happens twice (autumn) is its first occurrence.
 */
export function wallTimeToInstant(
  fields: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number; ms?: number },
  timeZone: string,
): number {
  const wall = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
    fields.ms ?? 0,
  )
  // The zone's offsets a day either side: equal but across a clock change.
  const before = wall - zoneOffsetMs(wall - 86_400_000, timeZone)
  const after = wall - zoneOffsetMs(wall + 86_400_000, timeZone)
  const exact = [before, after].filter((instant) => instant + zoneOffsetMs(instant, timeZone) === wall)
  return exact.length > 0 ? Math.min(...exact) : before
}

/**
 * The publish instant (UTC milliseconds) of a frontmatter `date` as written, or null when
 * it is not one of the forms this reads: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.sss]]` (in
 * `timeZone`), or either with `Z` or an offset. Other spellings the frontmatter accepts
 * ("January 31, 2026") are read by the caller from the normalised date.
 */
export function publishInstant(written: unknown, timeZone: string): number | null {
  if (typeof written !== 'string') return null
  const text = written.trim()
  if (ZONED_TIME.test(text)) {
    const instant = Date.parse(text.replace(' ', 'T'))
    return Number.isNaN(instant) ? null : instant
  }
  const day = DAY.exec(text)
  const local = day ? null : LOCAL_TIME.exec(text)
  const match = day ?? local
  if (!match) return null
  const [year, month, dayOfMonth] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const fields = {
    year,
    month,
    day: dayOfMonth,
    hour: local ? Number(local[4]) : 0,
    minute: local ? Number(local[5]) : 0,
    second: local?.[6] ? Number(local[6]) : 0,
    ms: local?.[7] ? Number(local[7].padEnd(3, '0')) : 0,
  }
  // 2026-02-30 or 25:00 is no date: the frontmatter's own check names it.
  const check = new Date(Date.UTC(year, month - 1, dayOfMonth, fields.hour, fields.minute, fields.second))
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== dayOfMonth ||
    check.getUTCHours() !== fields.hour ||
    check.getUTCMinutes() !== fields.minute
  )
    return null
  return wallTimeToInstant(fields, timeZone)
}

/**
 * The publish instant of an entry: its written date read in the site's zone, else its
 * normalised date (an ISO day or timestamp, as frontmatter.ts keeps it), else null (a page,
 * which has no date and is never scheduled).
 */
export function entryPublishInstant(written: unknown, normalized: string | null, timeZone: string): number | null {
  const instant = publishInstant(written, timeZone)
  if (instant !== null) return instant
  if (normalized === null) return null
  return publishInstant(normalized, 'UTC')
}
