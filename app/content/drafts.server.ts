/**
 * Who sees drafts: a signed-in admin, in lists, search and at the draft's address, so an
 * author can read a post on the real site before publishing it. Everyone else gets 404.
 */
import { getUser } from '../auth/session.server.ts'

export async function canSeeDrafts(request: Request): Promise<boolean> {
  // Without the load context: the root loader already renews the session once per
  // request, and a second renewal would send the cookie twice.
  const user = await getUser(request)
  return user?.isAdmin === true
}
