// The file tinypool starts for the image pool (a child process, see app/images/image-pool.server.ts):
// it registers tsx, then loads the TypeScript worker.
import { register } from 'tsx/esm/api'

register()
const { default: run } = await import('./image-resize.ts')
export default run
