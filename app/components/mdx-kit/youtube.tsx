import { useEffect, useState } from 'react'
import { KitError } from './kit-error.tsx'

/** YouTube's video ids: 11 characters of base64url. Anything else never reaches a URL. */
const VIDEO_ID = /^[A-Za-z0-9_-]{11}$/

/** YouTube's play button: a rounded red-or-black rectangle (its triangle is drawn over it). */
const PLAY_SHAPE =
  'M66.5 7.7a8.5 8.5 0 0 0-6-6C55.2.3 34 .3 34 .3s-21.2 0-26.5 1.4a8.5 8.5 0 0 0-6 6C.1 13 .1 24 .1 24s0 11 1.4 16.3' +
  'a8.5 8.5 0 0 0 6 6C12.8 47.7 34 47.7 34 47.7s21.2 0 26.5-1.4a8.5 8.5 0 0 0 6-6C67.9 35 67.9 24 67.9 24' +
  's0-11-1.4-16.3z'

/** Seconds to start at: a whole, non-negative number (`start={30}` or `start="30"`), else none. */
function startSeconds(start: unknown): number {
  const seconds = typeof start === 'string' ? Number(start) : start
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0
}

/**
 * `<YouTube id="…" start={30} title="…">`: a lite embed. The page gets a poster image
 * (from i.ytimg.com) and a play button; YouTube's player, from the privacy-enhanced
 * youtube-nocookie.com, is loaded only when the reader presses play, so a page with
 * videos costs no third-party script, cookie or megabyte until then. Before the page's
 * JavaScript runs (or without it) the poster is a plain link to the video on YouTube.
 * The click is React state, not an inline handler: the Content-Security-Policy allows none.
 */
export function YouTube({ id, start, title }: { id?: string; start?: number | string; title?: string }) {
  const [ready, setReady] = useState(false)
  const [playing, setPlaying] = useState(false)
  useEffect(() => setReady(true), [])
  if (typeof id !== 'string' || !VIDEO_ID.test(id)) {
    return <KitError component="YouTube" message={`needs the video's 11-character id, not ${JSON.stringify(id)}`} />
  }
  const seconds = startSeconds(start)
  const name = title || 'YouTube video'
  const watchUrl = `https://www.youtube.com/watch?v=${id}${seconds ? `&t=${seconds}s` : ''}`
  const playerUrl = `https://www.youtube-nocookie.com/embed/${id}?autoplay=1${seconds ? `&start=${seconds}` : ''}`
  const poster = (
    <img
      className="kiln-youtube-poster"
      src={`https://i.ytimg.com/vi/${id}/hqdefault.jpg`}
      alt=""
      width={480}
      height={360}
      loading="lazy"
      decoding="async"
    />
  )
  const playIcon = (
    <svg className="kiln-youtube-play" viewBox="0 0 68 48" aria-hidden="true" focusable="false">
      <path d={PLAY_SHAPE} />
      <path d="m27 34 18-10-18-10z" fill="#fff" />
    </svg>
  )
  return (
    <div className="kiln-youtube not-prose" data-kit="YouTube" data-video-id={id}>
      <div className="kiln-youtube-frame">
        {playing ? (
          <iframe
            className="kiln-youtube-player"
            src={playerUrl}
            title={name}
            allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture"
            allowFullScreen
            referrerPolicy="strict-origin-when-cross-origin"
          />
        ) : ready ? (
          <button type="button" className="kiln-youtube-button" onClick={() => setPlaying(true)}>
            {poster}
            {playIcon}
            <span className="sr-only">Play video: {name}</span>
          </button>
        ) : (
          <a className="kiln-youtube-button" href={watchUrl}>
            {poster}
            {playIcon}
            <span className="sr-only">Watch on YouTube: {name}</span>
          </a>
        )}
      </div>
      <p className="kiln-youtube-caption">
        {title ? <span>{title} · </span> : null}
        <a href={watchUrl}>Watch on YouTube</a>
      </p>
    </div>
  )
}
