/**
 * One card per worker pool (compile, highlight, image): threads alive (and the V8 heap they
 * hold, for a pool of threads), jobs, failures, the last job.
 */
import type { AdminDashboardData } from './dashboard-data.ts'
import { formatAgo, formatCount, formatDuration, formatMB } from './format.ts'
import { Card, Stat, StatGrid } from './parts.tsx'

export function PoolCards({ data }: { data: Pick<AdminDashboardData, 'pools' | 'now'> }) {
  return (
    <div className="grid gap-5 sm:grid-cols-2">
      {data.pools.map((pool) => (
        <Card
          key={pool.name}
          title={`${pool.name[0].toUpperCase()}${pool.name.slice(1)} pool`}
          id={`pool-${pool.name}`}
          aside={`idle after ${formatDuration(pool.idleMs)}`}
        >
          <StatGrid>
            <Stat
              name={`pool-${pool.name}-threads`}
              label="Threads alive"
              value={`${pool.threads} / ${pool.maxThreads}`}
            />
            {pool.heapBytes !== null ? (
              <Stat
                name={`pool-${pool.name}-heap`}
                label="Threads' heap"
                value={pool.threads > 0 ? formatMB(pool.heapBytes) : 'none'}
              />
            ) : null}
            <Stat
              name={`pool-${pool.name}-jobs`}
              label="Jobs run"
              value={formatCount(pool.jobs)}
              hint={pool.queued > 0 ? `${pool.queued} waiting` : undefined}
            />
            <Stat name={`pool-${pool.name}-failures`} label="Failures" value={formatCount(pool.failures)} />
            <Stat
              name={`pool-${pool.name}-last`}
              label="Last job"
              value={pool.lastJobAt ? formatAgo(pool.lastJobAt, data.now) : 'none yet'}
              hint={pool.lastJobMs !== null ? `took ${formatDuration(pool.lastJobMs)}` : undefined}
            />
          </StatGrid>
        </Card>
      ))}
    </div>
  )
}
