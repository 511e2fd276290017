/**
 * The one way to turn whatever was thrown into words for a log line or an error page.
 * A thrown value may be an Error, a string, or anything else a library chose to throw.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string')
    return error.message
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    return String(error)
  }
}
