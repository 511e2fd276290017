import path from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { defineConfig } from 'vitest/config'

/**
 * The files that take longest, longest first (as measured in CI). Two workers take files
 * in order: a long file started last runs on alone while the other worker has nothing left,
 * and on a fresh clone Vitest knows no durations and starts the largest files first, which
 * put the corpus test (a small file, minutes long) near the end.
 */
const LONGEST_FIRST = [
  'tests/e2e/axe-corpus.test.ts',
  'tests/integration/corpus.test.ts',
  'tests/e2e/security-csp.test.ts',
  'tests/e2e/security-redirects.test.ts',
  'tests/e2e/reader-extras.test.ts',
  'tests/integration/server.test.ts',
  'tests/integration/security-login.test.ts',
  'tests/integration/db-health.test.ts',
  'tests/integration/diagnostics.test.ts',
  'tests/e2e/code-blocks.test.ts',
  'tests/e2e/reader.test.ts',
  'tests/integration/render-containment.test.ts',
  'tests/integration/worker-pools.test.ts',
]

class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = LONGEST_FIRST.indexOf(path.relative(spec.project.config.root, spec.moduleId))
      return index === -1 ? LONGEST_FIRST.length : index
    }
    // The rest keep Vitest's own order (the slowest of the last run first, when it knows).
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b))
  }
}

export default defineConfig({
  test: {
    // Integration and end-to-end tests start real servers (and Chromium): on two cores,
    // two files at a time. Three were tried: a file keeps 0.7 to 0.9 of a core busy alone,
    // but three at once made the run slower (vitest 1,496 s; 1,296 s with two and the earlier order)
    // and a loaded machine's timing faults likelier.
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
    sequence: { sequencer: LongestFirstSequencer },
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
      // The axe sweep over the corpus runs alone, after the rest: it keeps both cores busy by
      // itself (three tabs, and the server compiling the next posts ahead of them), and beside
      // the rest CI took longer (vitest 1,551 s against 1,296 s alone after them).
      { extends: true, test: { name: 'axe', include: ['tests/e2e/axe-corpus.test.ts'], sequence: { groupOrder: 1 } } },
      // The soak loads both cores on purpose for 90 s: beside other suites it starves them
      // (timeouts), so it runs alone, last.
      { extends: true, test: { name: 'soak', include: ['tests/soak/**/*.test.ts'], sequence: { groupOrder: 2 } } },
    ],
  },
})
