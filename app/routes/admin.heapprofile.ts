import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireAdminAction } from '../auth/session.server.ts'
import { profileResponse } from '../diagnostics/profiles.server.ts'

/**
 * GET /admin/heapprofile?seconds=N (N from 1 to 60): a heap sampling profile of where
 * memory is allocated over N seconds, as `<host>-<date>.heapprofile` for Chrome DevTools.
 * Admins only; one diagnostic at a time (409).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireAdminAction(request, context)
  return profileResponse({
    request,
    userEmail: admin.email,
    kind: 'heapprofile',
    signal: context.clientSignal,
    timings: context.timings,
  })
}
