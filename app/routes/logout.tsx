import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { destroySession, isSameOrigin } from '../auth/session.server.ts'
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
  return redirect(safeRedirect(to, '/', requestOrigins(request)), { headers: { 'Set-Cookie': await destroySession(request) } })
}

export function loader() {
  return redirect('/')
}
