/**
 * Preview links on /admin: make a link to a draft or scheduled post for someone without an
 * account, see the live ones and revoke them. The card reads and writes through
 * /admin/previews (its own loader and action), so the dashboard's data stays the
 * dashboard's; without JavaScript, the card links to that page, which shows the same panel.
 */
import { Form, useFetcher } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { Card } from './parts.tsx'

export interface PreviewsData {
  posts: { slug: string; title: string; scheduledAt: string | null }[]
  links: { id: number; slug: string; title: string; createdAt: string; expiresAt: string }[]
  defaultDays: number
  maxDays: number
  maxLinks: number
}

export interface PreviewsActionData {
  created?: { url: string; title: string; expiresAt: string }
  revoked?: boolean
  error?: string
}

export const PREVIEWS_PATH = '/admin/previews'

const day = (iso: string) => iso.slice(0, 16).replace('T', ' ') + ' UTC'
const button =
  'rounded-md border border-zinc-300 px-2 py-1 text-sm font-medium hover:bg-zinc-100 ' +
  'dark:border-zinc-700 dark:hover:bg-zinc-800'

/** The panel: a form to make a link, the link just made (shown once), and the live links. */
export function PreviewsPanel({
  data,
  result,
  FormComponent = Form,
}: {
  data: PreviewsData
  result?: PreviewsActionData
  FormComponent?: typeof Form
}) {
  return (
    <div className="space-y-4 text-sm">
      {data.posts.length === 0 ? (
        <p className="text-zinc-600 dark:text-zinc-400">No drafts or scheduled posts to preview.</p>
      ) : (
        <FormComponent method="post" action={PREVIEWS_PATH} className="flex flex-wrap items-end gap-2">
          <input type="hidden" name="intent" value="create" />
          <label className="flex flex-col gap-1">
            <span>Post</span>
            <select
              name="slug"
              className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
            >
              {data.posts.map((post) => (
                <option key={post.slug} value={post.slug}>
                  {post.title} ({post.scheduledAt ? `scheduled ${day(post.scheduledAt)}` : 'draft'})
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col gap-1">
            <span>Days</span>
            <input
              type="number"
              name="days"
              min={1}
              max={data.maxDays}
              defaultValue={data.defaultDays}
              className="w-20 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
            />
          </label>
          <button type="submit" className={button}>
            Create preview link
          </button>
        </FormComponent>
      )}
      {result?.error ? (
        <p role="alert" className="text-red-700 dark:text-red-400">
          {result.error}
        </p>
      ) : null}
      {result?.created ? (
        <p role="status" className="break-all" data-testid="preview-created">
          Link to “{result.created.title}”, until {day(result.created.expiresAt)} (shown only now):{' '}
          <a href={result.created.url} className="text-amber-700 underline dark:text-amber-400">
            {result.created.url}
          </a>
        </p>
      ) : null}
      {data.links.length > 0 ? (
        <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" data-testid="preview-links">
          {data.links.map((link) => (
            <li key={link.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <span>
                {link.title} <span className="text-zinc-600 dark:text-zinc-400">until {day(link.expiresAt)}</span>
              </span>
              <FormComponent method="post" action={PREVIEWS_PATH}>
                <input type="hidden" name="intent" value="revoke" />
                <input type="hidden" name="id" value={link.id} />
                <button type="submit" className={button} aria-label={`Revoke the link to “${link.title}”`}>
                  Revoke
                </button>
              </FormComponent>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-zinc-600 dark:text-zinc-400">No live preview links.</p>
      )}
    </div>
  )
}

/** The card on /admin. */
export function PreviewsCard() {
  const loader = useFetcher<PreviewsData>()
  const action = useFetcher<PreviewsActionData>()
  const load = useRef(loader.load)
  load.current = loader.load
  useEffect(() => {
    // Loaded once the page is up, and again after each change.
    if (action.state === 'idle') load.current(PREVIEWS_PATH)
  }, [action.state, action.data])
  return (
    <Card
      title="Preview links"
      id="previews"
      aside={
        <a href={PREVIEWS_PATH} className="text-sm text-amber-700 underline dark:text-amber-400">
          {loader.data ? `${loader.data.links.length} live` : 'Manage'}
        </a>
      }
    >
      {loader.data ? (
        <PreviewsPanel data={loader.data} result={action.data} FormComponent={action.Form} />
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          <a href={PREVIEWS_PATH} className="text-amber-700 underline dark:text-amber-400">
            Make or revoke preview links
          </a>{' '}
          for drafts and scheduled posts.
        </p>
      )}
    </Card>
  )
}
