import {
  data,
  redirect,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from '@remix-run/node'
import { Form, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { deviceCookie, knownDevice } from '../auth/device.server.ts'
import { attemptLogin } from '../auth/login.server.ts'
import { createSession, getUser, isSameOrigin } from '../auth/session.server.ts'
import { asWriteFailure, logWriteFailure, writeFailureHeaders } from '../db/write-errors.server.ts'
import { requestOrigins, safeRedirect } from '../http/safe-redirect.ts'

export const meta: MetaFunction = () => [{ title: 'Sign in' }, { name: 'robots', content: 'noindex' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request)
  if (user)
    throw redirect(safeRedirect(new URL(request.url).searchParams.get('redirectTo'), '/admin', requestOrigins(request)))
  return null
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (!isSameOrigin(request)) return data({ error: 'This form must be sent from this site.' }, { status: 403 })
  const form = await request.formData()
  const email = String(form.get('email') ?? '')
  const password = String(form.get('password') ?? '')
  const redirectTo = safeRedirect(form.get('redirectTo'), '/admin', requestOrigins(request))
  if (!email || !password) return data({ error: 'Enter your email and password.' }, { status: 400 })
  try {
    const device = knownDevice(request)
    const result = await attemptLogin(email, password, context.clientAddress, device)
    if (!result.ok) {
      if (result.reason === 'busy')
        return data(
          { error: 'Too many sign-ins at once. Try again in a few seconds.' },
          { status: 503, headers: { 'Retry-After': '5' } },
        )
      return result.reason === 'locked'
        ? data({ error: `Too many failed sign-ins. Try again in ${result.retryInMinutes} minutes.` }, { status: 429 })
        : data({ error: 'Email or password is incorrect.' }, { status: 401 })
    }
    const headers = new Headers()
    headers.append('Set-Cookie', await createSession(result.userId))
    headers.append('Set-Cookie', deviceCookie(result.userId, device))
    return redirect(redirectTo, { headers })
  } catch (error) {
    // A full or read-only disk: 503 with Retry-After and the reason in the form, no session.
    const failure = asWriteFailure(error, 'sign you in')
    if (!failure) throw error
    logWriteFailure('sign-in', failure, error)
    return data({ error: failure.message }, { status: 503, headers: writeFailureHeaders(failure) })
  }
}

/** The action's Retry-After (a write failure, a sign-in queue that is full) reaches the document answer too. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get('Retry-After')
  const headers = new Headers()
  if (retryAfter) headers.set('Retry-After', retryAfter)
  return headers
}

export default function Login() {
  const actionData = useActionData<typeof action>()
  const [params] = useSearchParams()
  const submitting = useNavigation().state === 'submitting'
  const field =
    'mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-base shadow-sm ' +
    'focus:border-amber-500 focus:outline-none focus:ring-2 focus:ring-amber-500/30 dark:border-zinc-700 ' +
    'dark:bg-zinc-900'
  return (
    <section className="mx-auto max-w-sm space-y-6 py-4">
      <h1 className="text-3xl font-bold tracking-tight text-zinc-950 dark:text-white">Sign in</h1>
      <Form method="post" className="space-y-4">
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? '/admin'} />
        <label className="block text-sm font-medium">
          Email
          <input name="email" type="email" autoComplete="username" required className={field} />
        </label>
        <label className="block text-sm font-medium">
          Password
          <input name="password" type="password" autoComplete="current-password" required className={field} />
        </label>
        {actionData?.error ? (
          <p
            role="alert"
            className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:bg-rose-950/50 dark:text-rose-200"
          >
            {actionData.error}
          </p>
        ) : null}
        <button
          type="submit"
          disabled={submitting}
          className={[
            'w-full rounded-md bg-amber-700 px-4 py-2 font-medium',
            'text-white hover:bg-amber-800 disabled:opacity-60',
          ].join(' ')}
        >
          {submitting ? 'Signing in…' : 'Sign in'}
        </button>
      </Form>
    </section>
  )
}
