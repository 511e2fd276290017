/**
 * One piece of work in flight per key: callers that ask for a key while its work runs
 * share that work's promise instead of starting it again (a compile, a social image, a
 * page render). The key is forgotten as soon as the work settles, so a failure is not
 * remembered: the next caller tries again.
 */
export class SingleFlight<T> {
  readonly #running = new Map<string, Promise<T>>()

  /** The promise of the work running under `key`, or of `work()` started now. */
  run(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key)
    if (running) return running
    const started = Promise.resolve()
      .then(work)
      .finally(() => this.#running.delete(key))
    this.#running.set(key, started)
    return started
  }

  /** Whether work under `key` is running now (a caller that would share it). */
  has(key: string): boolean {
    return this.#running.has(key)
  }

  /** How many keys have work running: for stats. */
  get size(): number {
    return this.#running.size
  }
}
