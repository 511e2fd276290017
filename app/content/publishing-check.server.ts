/**
 * The checks `content:check` runs across entries, beside each entry's own compile:
 * redirects (bad lines, colliding aliases, loops, long chains) and authors (an id with no
 * file). Each problem names its file and line.
 */
import { authorProblems } from './authors.server.ts'
import { formatPlace } from './place.ts'
import { redirectProblems } from './redirects.server.ts'
import type { SourceEntry } from './source.server.ts'

export interface PublishingProblem {
  level: 'error' | 'warning'
  where: string
  message: string
}

export function publishingProblems(contentDir: string, entries: SourceEntry[]): PublishingProblem[] {
  return [...redirectProblems(contentDir, entries), ...authorProblems(contentDir, entries)].map((problem) => ({
    level: problem.level,
    where: formatPlace(problem.file, problem.line),
    message: problem.message,
  }))
}
