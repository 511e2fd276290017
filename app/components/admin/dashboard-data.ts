import type { useLoaderData } from '@remix-run/react'
import type { dashboardData } from '../../diagnostics/dashboard.server.ts'

/**
 * The admin dashboard's figures as the page receives them (what `useLoaderData` gives the
 * route whose loader returns `dashboardData()`); each card takes its part. A type of its own
 * module, so the cards and the route do not import each other.
 */
export type AdminDashboardData = ReturnType<typeof useLoaderData<() => ReturnType<typeof dashboardData>>>
