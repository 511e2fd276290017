/**
 * Server-Timing: each request carries a Timings object (created by the Express server,
 * handed to Remix as load context); loaders and the renderer add to it, and the server
 * writes the header when the response's headers go out.
 */
export interface TimingEntry {
  name: string
  ms: number
  description?: string
}

export class Timings {
  readonly entries: TimingEntry[] = []

  add(name: string, ms: number, description?: string): void {
    const existing = this.entries.find((entry) => entry.name === name)
    if (existing) existing.ms += ms
    else this.entries.push({ name, ms, description })
  }

  /** Runs fn and adds its duration under name (summed when the name repeats). */
  time<T>(name: string, fn: () => T, description?: string): T {
    const start = performance.now()
    try {
      return fn()
    } finally {
      this.add(name, performance.now() - start, description)
    }
  }

  async timeAsync<T>(name: string, fn: () => Promise<T>, description?: string): Promise<T> {
    const start = performance.now()
    try {
      return await fn()
    } finally {
      this.add(name, performance.now() - start, description)
    }
  }

  has(name: string): boolean {
    return this.entries.some((entry) => entry.name === name)
  }

  toHeader(): string {
    return this.entries
      .map(({ name, ms, description }) => {
        const desc = description ? `;desc="${description.replace(/["\\]/g, '')}"` : ''
        return `${name}${desc};dur=${ms.toFixed(1)}`
      })
      .join(', ')
  }
}
