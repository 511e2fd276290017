/**
 * The render's inline-script marker (app/http/content-security-policy.server.ts): the
 * server render provides it, and the root layout hands it to Remix's inline scripts as
 * their `nonce`. The server removes it from the HTML and allows exactly the marked scripts
 * by hash; in the browser there is none (undefined), which matches the sent HTML.
 */
import { createContext } from 'react'

export const InlineScriptMarker = createContext<string | undefined>(undefined)
