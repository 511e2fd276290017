import { describe, expect, it } from 'vitest'
import { orderSeries } from '../../app/content/post-footer.server.ts'

const part = (slug: string, date: string | null, seriesOrder?: unknown) => ({ slug, title: slug, date, seriesOrder })

describe('orderSeries', () => {
  it('orders by seriesOrder, then date, then slug; parts without an order come last', () => {
    const ordered = orderSeries([
      part('d', '2026-01-01'),
      part('c', '2026-05-01', 1),
      part('b', '2026-02-01', '2'),
      part('a', '2026-01-01'),
      part('e', '2026-03-01', 2),
      part('f', '2025-01-01', 'not a number'),
    ])
    expect(ordered.map((p) => p.slug)).toEqual(['c', 'b', 'e', 'f', 'a', 'd'])
  })

  it('orders by date alone when no part has an order', () => {
    expect(orderSeries([part('x', '2026-03-01'), part('y', '2026-01-01'), part('z', null)]).map((p) => p.slug)).toEqual(
      ['z', 'y', 'x'],
    )
  })
})
