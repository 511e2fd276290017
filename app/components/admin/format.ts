/** Numbers for people: sizes, durations and ages as the dashboard shows them. */

export const MB = 1024 * 1024

/** Bytes as MB with one decimal ("123.4 MB"); 1 MB = 1,048,576 bytes, as in DevTools and /proc. */
export function formatMB(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`
}

/** A size in the unit that reads best: "512 B", "12.3 KB", "45.6 MB", "1.2 GB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`
  if (bytes < MB) return `${(bytes / 1024).toFixed(1)} KB`
  if (bytes < 1024 * MB) return `${(bytes / MB).toFixed(1)} MB`
  return `${(bytes / 1024 / MB).toFixed(2)} GB`
}

/** A duration: "0.4 ms", "85 ms", "12.3 s", "4 min 3 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`
  if (ms < 1000) return `${Math.round(ms)} ms`
  const seconds = ms / 1000
  if (seconds < 60) return `${seconds.toFixed(1)} s`
  const s = Math.floor(seconds)
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`
}

/** How long before `now` a moment was: "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatAgo(iso: string | null, now: number): string {
  if (!iso) return 'never'
  const seconds = Math.round((now - Date.parse(iso)) / 1000)
  if (seconds < 5) return 'just now'
  if (seconds < 60) return `${seconds} s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`
  return `${Math.floor(seconds / 86_400)} d ago`
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US')
}
