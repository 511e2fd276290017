import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { requireAdmin, requireAdminAction } from '../auth/session.server.ts'
import { PreviewsPanel, type PreviewsActionData, type PreviewsData } from '../components/admin/previews-card.tsx'
import {
  createPreviewLink,
  listLivePreviewLinks,
  listPreviewablePosts,
  PREVIEW_DEFAULT_DAYS,
  PREVIEW_MAX_DAYS,
  PREVIEW_MAX_LIVE_LINKS,
  PreviewLinkError,
  revokePreviewLink,
} from '../content/previews.server.ts'
import { getDb } from '../db/connection.server.ts'
import { absoluteUrl } from '../seo/urls.ts'
import { siteSeo } from '../seo/site.server.ts'

/** Preview links for admins: the /admin card's data and actions, and a page of its own without JavaScript. */
export async function loader({ request, context }: LoaderFunctionArgs): Promise<PreviewsData> {
  await requireAdmin(request, context)
  const db = getDb()
  return context.timings.time('db', () => ({
    posts: listPreviewablePosts(db),
    links: listLivePreviewLinks(db),
    defaultDays: PREVIEW_DEFAULT_DAYS,
    maxDays: PREVIEW_MAX_DAYS,
    maxLinks: PREVIEW_MAX_LIVE_LINKS,
  }))
}

export async function action({ request, context }: ActionFunctionArgs) {
  await requireAdminAction(request, context)
  const form = await request.formData()
  const intent = form.get('intent')
  try {
    if (intent === 'create') {
      const days = Number(form.get('days') || PREVIEW_DEFAULT_DAYS)
      const { token, link } = createPreviewLink(getDb(), String(form.get('slug') ?? ''), { days })
      const url = absoluteUrl(siteSeo().url, `/preview/${token}`)
      return data<PreviewsActionData>({ created: { url, title: link.title, expiresAt: link.expiresAt } })
    }
    if (intent === 'revoke') {
      const revoked = revokePreviewLink(getDb(), Number(form.get('id')))
      return data<PreviewsActionData>(revoked ? { revoked } : { error: 'That link was not live.' }, {
        status: revoked ? 200 : 404,
      })
    }
  } catch (error) {
    if (error instanceof PreviewLinkError) return data<PreviewsActionData>({ error: error.message }, { status: 400 })
    throw error
  }
  return data<PreviewsActionData>({ error: 'Unknown action.' }, { status: 400 })
}

export const meta: MetaFunction = () => [{ title: 'Preview links' }, { name: 'robots', content: 'noindex' }]

export default function AdminPreviews() {
  const loaded = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight text-zinc-950 dark:text-white">Preview links</h1>
      <PreviewsPanel data={loaded} result={result} />
      <p className="text-sm">
        <a href="/admin" className="text-amber-700 underline dark:text-amber-400">
          Back to the dashboard
        </a>
      </p>
    </div>
  )
}
