import { Link } from '@remix-run/react'

export function ErrorPage({ status, title, message }: { status: number; title: string; message?: string }) {
  return (
    <section className="py-12 text-center" aria-labelledby="error-title">
      <p className="text-sm font-semibold uppercase tracking-widest text-amber-700 dark:text-amber-400">
        Error {status}
      </p>
      <h1 id="error-title" className="mt-3 text-3xl font-bold tracking-tight text-zinc-950 sm:text-4xl dark:text-white">
        {title}
      </h1>
      {message ? <p className="mx-auto mt-4 max-w-md text-zinc-600 dark:text-zinc-400">{message}</p> : null}
      <div className="mt-8 flex justify-center gap-4 text-sm font-medium">
        <Link to="/" className="rounded-md bg-amber-700 px-4 py-2 text-white hover:bg-amber-800">
          Home
        </Link>
        <Link
          to="/blog"
          className="rounded-md border border-zinc-300 px-4 py-2 hover:border-zinc-400 dark:border-zinc-700"
        >
          All posts
        </Link>
      </div>
    </section>
  )
}
