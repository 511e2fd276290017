/**
 * `npm run content:refresh` (reads KILN_URL, the server to refresh, and REFRESH_SECRET)
 *
 * For a content repository's CI: sends the signed refresh request to a running Kiln,
 * waits for the refresh to finish, and prints what happened to each post. Exits 1 when
 * the refresh failed or any post failed to compile, so the pipeline shows it.
 */
import { getConfig } from '../app/config.server.ts'
import {
  SIGNATURE_HEADER,
  sign,
  signStatusRead,
  STATUS_SIGNATURE_HEADER,
} from '../app/content/webhook-signature.server.ts'
import { errorMessage } from '../app/utils/error-message.ts'

// The server's address is this script's own input; the secret is the server's REFRESH_SECRET.
const url = process.env.KILN_URL?.replace(/\/$/, '')
const secret = getConfig().refreshSecret
const TIMEOUT_MS = 5 * 60_000

interface Status {
  id: string
  status: 'queued' | 'running' | 'done' | 'failed'
  commit: string | null
  posts: { slug: string; result: string; error?: string }[]
  error?: string
}

async function main(): Promise<number> {
  if (!url || !secret) {
    console.error('content:refresh needs KILN_URL (for example https://blog.example.com) and REFRESH_SECRET')
    return 2
  }
  const body = '{}'
  const response = await fetch(`${url}/action/refresh-content`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: sign(secret, body) },
    body,
  })
  if (response.status !== 202) {
    console.error(`refresh refused: ${response.status} ${await response.text()}`)
    return 1
  }
  const { id } = (await response.json()) as { id: string }
  console.log(`refresh ${id} queued`)
  const deadline = Date.now() + TIMEOUT_MS
  let last = ''
  for (;;) {
    const statusPath = `/action/refresh-content/${encodeURIComponent(id)}`
    // Signed afresh for every read: the signature covers a timestamp and expires.
    const statusResponse = await fetch(`${url}${statusPath}`, {
      headers: { [STATUS_SIGNATURE_HEADER]: signStatusRead(secret, new URL(url + statusPath).pathname) },
    })
    if (!statusResponse.ok) {
      console.error(`status request failed: ${statusResponse.status} ${await statusResponse.text()}`)
      return 1
    }
    const status = (await statusResponse.json()) as Status
    if (status.status !== last) console.log(`  ${status.status}`)
    last = status.status
    if (status.status === 'done' || status.status === 'failed') {
      if (status.commit) console.log(`commit ${status.commit}`)
      for (const post of status.posts)
        console.log(`  ${post.result.padEnd(8)} ${post.slug}${post.error ? `: ${post.error}` : ''}`)
      if (status.posts.length === 0 && status.status === 'done') console.log('  no posts changed')
      if (status.error) console.error(`refresh failed: ${status.error}`)
      return status.status === 'failed' || status.posts.some((post) => post.result === 'failed') ? 1 : 0
    }
    if (Date.now() > deadline) {
      console.error('gave up waiting after 5 minutes')
      return 1
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`content:refresh failed: ${errorMessage(error)}`)
    process.exit(1)
  },
)
