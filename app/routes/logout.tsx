import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { destroySession, isSameOrigin } from '../auth/session.server.ts'
import { asWriteFailure, logWriteFailure, writeFailureHeaders } from '../db/write-errors.server.ts'
import { noStoreText } from '../http/no-store-responses.ts'
import { requestOrigins, safeRedirect } from '../http/safe-redirect.ts'

/** POST /logout deletes the session. A GET signs nobody out (links are followed by crawlers and previews). */
export async function action({ request }: ActionFunctionArgs) {
  if (!isSameOrigin(request)) return new Response('This form must be sent from this site.', { status: 403 })
  let to: FormDataEntryValue | null = null
  try {
    to = (await request.formData()).get('redirectTo')
  } catch {
    // no form: home
  }
  try {
    return redirect(safeRedirect(to, '/', requestOrigins(request)), {
      headers: { 'Set-Cookie': await destroySession(request) },
    })
  } catch (error) {
    // The session row could not be deleted (full or read-only disk): say so instead of
    // clearing the cookie and leaving a live session behind.
    const failure = asWriteFailure(error, 'sign you out')
    if (!failure) throw error
    logWriteFailure('sign-out', failure, error)
    return noStoreText(failure.message, 503, writeFailureHeaders(failure))
  }
}

export function loader() {
  return redirect('/')
}
