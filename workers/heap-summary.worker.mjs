// The file tinypool starts for the heap-summary pool. A worker thread's execArgv cannot carry
// "--import tsx", so the thread registers tsx itself, then loads the TypeScript worker.
import { register } from 'tsx/esm/api'

register()
const { default: run } = await import('./heap-summary.ts')
export default run
