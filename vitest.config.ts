import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Integration and end-to-end tests start real servers (and Chromium): on two cores,
    // two files at a time keeps them from starving each other.
    maxWorkers: 2,
    minWorkers: 1,
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'kiln', include: ['tests/**/*.test.ts'], exclude: ['tests/soak/**'], sequence: { groupOrder: 0 } } },
      // The soak loads both cores on purpose for 90 s: it runs alone, after everything else,
      // so it neither slows the other suites nor is measured while they run.
      { extends: true, test: { name: 'soak', include: ['tests/soak/**/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
})
