/** The process card: event-loop delay, uptime, this instance's LiteFS role, versions. */
import type { AdminDashboardData } from './dashboard-data.ts'
import { formatDuration } from './format.ts'
import { Card, Stat, StatGrid } from './parts.tsx'

const delay = (ms: number | null) => (ms === null ? '—' : formatDuration(ms))

export function ProcessCard({ eventLoop, process }: Pick<AdminDashboardData, 'eventLoop' | 'process'>) {
  return (
    <Card title="Process" id="process">
      <StatGrid>
        <Stat
          name="event-loop-p50"
          label="Event-loop delay p50"
          value={delay(eventLoop.p50Ms)}
          hint={`last ${formatDuration(eventLoop.windowMs)}`}
        />
        <Stat
          name="event-loop-p99"
          label="Event-loop delay p99"
          value={delay(eventLoop.p99Ms)}
          hint={`worst in the hour: ${delay(eventLoop.p99MaxMs)}`}
        />
        <Stat name="uptime" label="Uptime" value={formatDuration(process.uptimeS * 1000)} hint={`pid ${process.pid}`} />
        <Stat
          name="instance-role"
          label="Instance"
          value={process.instance.role}
          hint={process.instance.litefs ? `primary: ${process.instance.primary}` : 'single instance (no LiteFS)'}
        />
        {process.instance.role === 'replica' || process.replicaCompiles.entries > 0 ? (
          <Stat
            name="replica-compiles"
            label="Compiled in memory"
            value={`${process.replicaCompiles.entries} / ${process.replicaCompiles.maxEntries}`}
            hint={
              `replica: ${process.replicaCompiles.localCompiles} compiled here, ` +
              `${process.replicaCompiles.askedPrimary} asked of the primary, ` +
              `${process.replicaCompiles.primaryUnreachable} unanswered`
            }
          />
        ) : null}
        <Stat name="node-version" label="Node" value={process.node} />
        <Stat name="kiln-version" label="Kiln" value={process.kiln} />
      </StatGrid>
    </Card>
  )
}
