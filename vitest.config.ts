import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Integration and end-to-end tests start real servers (and Chromium): on two cores,
    // two files at a time keeps them from starving each other.
    maxWorkers: 2,
    minWorkers: 1,
    pool: 'forks',
    // Guards against a hang, not speed limits: the suite must pass on a shared, busy
    // machine (npm run test:busy runs it beside two CPU-bound processes).
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // expect.poll waits for something to happen in a browser or a server: 1 s (its default)
    // is a speed limit on a loaded machine, not a guard against a hang.
    expect: { poll: { timeout: 30_000 } },
    projects: [
      {
        extends: true,
        test: {
          name: 'kiln',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/soak/**', 'tests/e2e/axe-corpus.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      // Two heavy runs, each alone after the rest: the axe sweep over the corpus keeps
      // Chromium busy for about two minutes, and the soak loads both cores on purpose for
      // 90 s. Beside other suites they starve them (timeouts) and are measured under
      // foreign load.
      { extends: true, test: { name: 'axe', include: ['tests/e2e/axe-corpus.test.ts'], sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'soak', include: ['tests/soak/**/*.test.ts'], sequence: { groupOrder: 2 } } },
    ],
  },
})
