// The file tinypool starts for the highlight pool. A worker thread's execArgv cannot carry
// "--import tsx", so the thread registers tsx itself, then loads the TypeScript worker.
import { register } from 'tsx/esm/api'

register()
const { default: run } = await import('./highlight.ts')
export default run
