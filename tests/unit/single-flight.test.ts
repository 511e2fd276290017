import { describe, expect, it } from 'vitest'
import { SingleFlight } from '../../app/utils/single-flight.ts'
import { errorMessage } from '../../app/utils/error-message.ts'

describe('SingleFlight', () => {
  it('shares the running work of a key and forgets it once settled', async () => {
    const flights = new SingleFlight<number>()
    let starts = 0
    let release!: (value: number) => void
    const work = () => {
      starts++
      return new Promise<number>((resolve) => (release = resolve))
    }
    const first = flights.run('a', work)
    const second = flights.run('a', work)
    expect(flights.size).toBe(1)
    await Promise.resolve()
    release(7)
    expect(await first).toBe(7)
    expect(await second).toBe(7)
    expect(starts).toBe(1)
    expect(flights.has('a')).toBe(false)
    expect(await flights.run('a', async () => 8)).toBe(8)
    expect(starts).toBe(1)
  })

  it('does not remember a failure: the next caller runs the work again', async () => {
    const flights = new SingleFlight<string>()
    await expect(flights.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(flights.size).toBe(0)
    await expect(flights.run('k', async () => 'ok')).resolves.toBe('ok')
  })

  it('keeps keys apart, and a work that throws synchronously is a rejection', async () => {
    const flights = new SingleFlight<string>()
    const a = flights.run('a', async () => 'A')
    const b = flights.run('b', async () => 'B')
    expect(await Promise.all([a, b])).toEqual(['A', 'B'])
    await expect(
      flights.run('c', () => {
        throw new Error('sync')
      }),
    ).rejects.toThrow('sync')
  })
})

describe('errorMessage', () => {
  it('reads the message of whatever was thrown', () => {
    expect(errorMessage(new TypeError('bad'))).toBe('bad')
    expect(errorMessage('plain')).toBe('plain')
    expect(errorMessage({ message: 'shaped' })).toBe('shaped')
    expect(errorMessage(42)).toBe('42')
    expect(errorMessage(undefined)).toBe('undefined')
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(errorMessage(circular)).toBe('[object Object]')
  })
})
