/**
 * One freshness check per request. The content index is re-scanned when due
 * (rescanContentIfDue: at most every CONTENT_SCAN_INTERVAL_MS, on the primary) here, once,
 * before the page cache and before any loader: a cached page answers without reaching a
 * loader, and a loader that forgot the rescan would serve a stale index silently. After
 * it, every read of the index (contentVersion, the loaders') is a plain read.
 */
import type express from 'express'
import { rescanContentIfDue } from '../content/content.server.ts'
import { stampOf, stampsAt } from '../content/page-dependencies.server.ts'
import { publishedContentVersion } from '../content/schedule.server.ts'
import { getDb } from '../db/connection.server.ts'
import { requestContext } from './request-context.server.ts'

/** Re-scans the content when due; the time it takes shows in Server-Timing as `index`. */
export function rescanContentWhenDue(_req: express.Request, res: express.Response, next: express.NextFunction) {
  try {
    rescanContentIfDue(requestContext(res).timings)
  } catch (error) {
    return next(error)
  }
  next()
}

let lastContentVersion: string | null = null

/** For the page cache's keys: the content's version as it is now (no re-scan; schedule.server.ts). */
export function contentVersion(): string {
  try {
    lastContentVersion = publishedContentVersion(getDb())
  } catch (error) {
    // The database cannot be read (damaged, replaced, failing disk): pages cached for the
    // last version read keep being served; /healthcheck says what is wrong.
    if (lastContentVersion === null) throw error
  }
  return lastContentVersion
}

/**
 * For the page cache: the stamp of what a page depends on (page-dependencies.server.ts) at
 * the content version `version` (one read of the index per version, then from memory).
 */
export function pageStamp(depends: string, version: string): string {
  return stampOf(stampsAt(getDb, version), depends, version)
}
