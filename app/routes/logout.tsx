import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { destroySession, isSameOrigin } from '../auth/session.server.ts'

/** POST /logout deletes the session. A GET signs nobody out (links are followed by crawlers and previews). */
export async function action({ request }: ActionFunctionArgs) {
  if (!isSameOrigin(request)) return new Response('This form must be sent from this site.', { status: 403 })
  return redirect('/', { headers: { 'Set-Cookie': await destroySession(request) } })
}

export function loader() {
  return redirect('/')
}
