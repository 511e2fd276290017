import { data } from '@remix-run/node'

/** Any address no other route claims: the styled 404 from the root error boundary. */
export function loader() {
  throw data({ message: 'Not found' }, { status: 404 })
}

export default function NotFound() {
  return null
}
