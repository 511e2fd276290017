import { describe, expect, it } from 'vitest'
import {
  entryPublishInstant,
  isValidTimeZone,
  publishInstant,
  wallTimeToInstant,
  zoneOffsetMs,
} from '../../app/content/publish-time.ts'
import { FrontmatterError, parseFrontmatter } from '../../app/content/frontmatter.ts'
import { countPassed } from '../../app/content/schedule.server.ts'

const utc = (iso: string) => Date.parse(iso)

describe('publishInstant', () => {
  it('reads a bare date as midnight in the site zone', () => {
    expect(publishInstant('2026-12-24', 'UTC')).toBe(utc('2026-12-24T00:00:00Z'))
    expect(publishInstant('2026-12-24', 'Europe/Paris')).toBe(utc('2026-12-23T23:00:00Z'))
    expect(publishInstant('2026-07-01', 'Europe/Paris')).toBe(utc('2026-06-30T22:00:00Z'))
    expect(publishInstant('2026-12-24', 'America/New_York')).toBe(utc('2026-12-24T05:00:00Z'))
    expect(publishInstant('2026-12-24', 'Asia/Kolkata')).toBe(utc('2026-12-23T18:30:00Z'))
  })

  it('takes a written zone or offset as it is, whatever the site zone', () => {
    for (const zone of ['UTC', 'Europe/Paris', 'Pacific/Auckland']) {
      expect(publishInstant('2026-12-24T09:00:00+01:00', zone)).toBe(utc('2026-12-24T08:00:00Z'))
      expect(publishInstant('2026-12-24T09:00Z', zone)).toBe(utc('2026-12-24T09:00:00Z'))
      expect(publishInstant('2026-12-24 09:00:00-0530', zone)).toBe(utc('2026-12-24T14:30:00Z'))
    }
  })

  it('reads a time without a zone in the site zone', () => {
    expect(publishInstant('2026-12-24T09:00', 'Europe/Paris')).toBe(utc('2026-12-24T08:00:00Z'))
    expect(publishInstant('2026-12-24T09:00:30.25', 'UTC')).toBe(utc('2026-12-24T09:00:30.250Z'))
  })

  it('lands a time skipped by a clock change just after the gap, and a repeated one on its first occurrence', () => {
    // Paris moves from 02:00 to 03:00 on 29 March 2026 and back from 03:00 to 02:00 on 25 October.
    expect(publishInstant('2026-03-29T02:30', 'Europe/Paris')).toBe(utc('2026-03-29T01:30:00Z'))
    expect(publishInstant('2026-10-25T02:30', 'Europe/Paris')).toBe(utc('2026-10-25T00:30:00Z'))
    expect(publishInstant('2026-03-29T03:30', 'Europe/Paris')).toBe(utc('2026-03-29T01:30:00Z'))
  })

  it('is null for what is not a date it reads', () => {
    for (const text of ['2026-02-30', '2026-13-01', '2026-12-24T25:00', 'next tuesday', '', 42, null, undefined]) {
      expect(publishInstant(text, 'UTC'), String(text)).toBeNull()
    }
  })
})

describe('entryPublishInstant', () => {
  it('falls back to the normalised date for other spellings, and is null without a date', () => {
    expect(entryPublishInstant('January 31, 2026', '2026-01-31', 'UTC')).toBe(utc('2026-01-31T00:00:00Z'))
    expect(entryPublishInstant(undefined, null, 'Europe/Paris')).toBeNull()
  })
})

describe('zones', () => {
  it('knows IANA zones and refuses others', () => {
    expect(isValidTimeZone('UTC')).toBe(true)
    expect(isValidTimeZone('Europe/Paris')).toBe(true)
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false)
    expect(isValidTimeZone('')).toBe(false)
  })

  it('gives offsets east positive and turns wall time back to the instant', () => {
    expect(zoneOffsetMs(utc('2026-01-15T12:00:00Z'), 'Europe/Paris')).toBe(3_600_000)
    expect(zoneOffsetMs(utc('2026-01-15T12:00:00Z'), 'America/Los_Angeles')).toBe(-8 * 3_600_000)
    expect(wallTimeToInstant({ year: 2026, month: 1, day: 15, hour: 13 }, 'Europe/Paris')).toBe(
      utc('2026-01-15T12:00:00Z'),
    )
  })
})

describe('countPassed', () => {
  it('counts the instants at or before now', () => {
    expect(countPassed([], 10)).toBe(0)
    expect(countPassed([5, 10, 20], 4)).toBe(0)
    expect(countPassed([5, 10, 20], 10)).toBe(2)
    expect(countPassed([5, 10, 20], 99)).toBe(3)
  })
})

describe('an unparsable date', () => {
  it('is a frontmatter error at the line that sets it', () => {
    const source = '---\ntitle: A post\ndescription: x\ndate: next tuesday\n---\n\nBody.\n'
    const error = (() => {
      try {
        parseFrontmatter(source, { requireDate: true })
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(FrontmatterError)
    expect((error as FrontmatterError).line).toBe(4)
    expect((error as Error).message).toMatch(/"date" is not a valid date/)
  })
})
