import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration and end-to-end tests start real servers (and Chromium): on two cores,
    // two files at a time keeps them from starving each other.
    maxWorkers: 2,
    minWorkers: 1,
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
