import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { answerCompileRequest } from '../replication/compile-request.server.ts'

/**
 * POST /internal/compile: a replica asks the primary to compile and store a version it was
 * asked for. Both sides of the request, and its message, live in compile-request.server.ts.
 */
export function action({ request }: ActionFunctionArgs) {
  return answerCompileRequest(request)
}

export function loader({ request }: LoaderFunctionArgs) {
  return answerCompileRequest(request)
}
