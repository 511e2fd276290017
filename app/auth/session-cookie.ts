/** The session cookie's name: the page cache never serves or stores a request that carries it. */
export const SESSION_COOKIE = 'kiln_session'
