import type { LoaderFunctionArgs } from '@remix-run/node'
import { continuePage } from '../auth/session.server.ts'

/**
 * GET /admin/continue?to=/admin…: where requireAdmin sends a navigation another site
 * started (it carries no SameSite=Strict session cookie). The page reloads `to` from this
 * site, which carries the cookie. See app/auth/session.server.ts.
 */
export function loader({ request }: LoaderFunctionArgs) {
  return continuePage(request)
}
