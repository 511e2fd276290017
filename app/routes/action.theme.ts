import { redirect, type ActionFunctionArgs } from '@remix-run/node'
import { answerThemeChange } from '../theme/theme.server.ts'

/** POST /action/theme: remembers the reader's colour theme (app/theme/theme.server.ts). */
export function action({ request }: ActionFunctionArgs) {
  return answerThemeChange(request)
}

export function loader() {
  return redirect('/')
}
