/** The LiteFS contract as Kiln reads it, and the signature on requests between instances. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseTxCookie, readInstanceRole } from '../../app/replication/instance.server.ts'
import { signInternal, verifyInternal } from '../../app/replication/internal-request.server.ts'

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-litefs-unit-'))

describe('readInstanceRole', () => {
  it('is the primary when there is no .primary file', () => {
    expect(readInstanceRole(tempDir()).isPrimary).toBe(true)
  })

  it('is a replica of the instance .primary names', () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, '.primary'), 'machine-a1b2\n')
    expect(readInstanceRole(dir)).toMatchObject({ isPrimary: false, primaryInstance: 'machine-a1b2' })
  })

  it('is the primary when .primary names this host (litefs-js’s rule)', () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, '.primary'), os.hostname())
    expect(readInstanceRole(dir).isPrimary).toBe(true)
  })

  it('never takes an empty, unreadable or odd .primary for primary', () => {
    const empty = tempDir()
    fs.writeFileSync(path.join(empty, '.primary'), '  \n')
    expect(readInstanceRole(empty)).toMatchObject({
      isPrimary: false,
      primaryInstance: null,
      problem: '.primary is empty',
    })

    const folder = tempDir()
    fs.mkdirSync(path.join(folder, '.primary'))
    expect(readInstanceRole(folder)).toMatchObject({ isPrimary: false, primaryInstance: null })

    const header = tempDir()
    fs.writeFileSync(path.join(header, '.primary'), 'a\r\nfly-replay: instance=evil')
    expect(readInstanceRole(header)).toMatchObject({ isPrimary: false, primaryInstance: null })
  })
})

describe('parseTxCookie', () => {
  it('finds txnum among other cookies', () => {
    expect(parseTxCookie('a=1; txnum=42; b=2')).toEqual({ kind: 'valid', value: 42 })
    expect(parseTxCookie('kiln_session=abc')).toEqual({ kind: 'absent' })
    expect(parseTxCookie(null)).toEqual({ kind: 'absent' })
  })

  it('calls anything but a plain non-negative integer invalid', () => {
    for (const raw of ['banana', '-1', '1.5', '1e3', '', '0x10', '99999999999999999999']) {
      expect(parseTxCookie(`txnum=${raw}`), raw).toEqual({ kind: 'invalid', raw })
    }
  })
})

describe('internal request signatures', () => {
  const body = JSON.stringify({ kind: 'post', slug: 'hello' })

  it('accepts its own signature and refuses a changed body or token', () => {
    const header = signInternal('token', body)
    expect(verifyInternal('token', body, header)).toBe(true)
    expect(verifyInternal('token', body.replace('hello', 'other'), header)).toBe(false)
    expect(verifyInternal('other-token', body, header)).toBe(false)
  })

  it('refuses old, malformed or missing signatures', () => {
    const now = Date.now()
    expect(verifyInternal('token', body, signInternal('token', body, now - 10 * 60_000), now)).toBe(false)
    expect(verifyInternal('token', body, 'sha256=abc', now)).toBe(false)
    expect(verifyInternal('token', body, null, now)).toBe(false)
  })
})
