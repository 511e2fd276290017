/**
 * The answers no cache keeps (app/http/no-store-responses.ts): their body, status, type and
 * Cache-Control, and a route's own headers added to or replacing the defaults.
 */
import { describe, expect, it } from 'vitest'
import { noStoreHtml, noStoreJson, noStoreText } from '../../app/http/no-store-responses.ts'

describe('noStoreJson', () => {
  it('answers the value as JSON, 200 and no-store by default', async () => {
    const response = noStoreJson({ slug: 'a', views: 2 })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('application/json')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(await response.json()).toEqual({ slug: 'a', views: 2 })
  })

  it('takes a status and adds the route headers', async () => {
    const response = noStoreJson({ error: 'too many requests' }, 429, { 'Retry-After': '30' })
    expect(response.status).toBe(429)
    expect(response.headers.get('Retry-After')).toBe('30')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(await response.text()).toBe('{"error":"too many requests"}')
  })

  it('lets a route replace the defaults', () => {
    const response = noStoreJson({}, 409, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'private, no-store',
    })
    expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')
  })

  it('keeps several Set-Cookie headers apart from each other', () => {
    const response = noStoreJson({ theme: 'dark' }, 200, { 'Set-Cookie': 'kiln_theme=dark; Path=/' })
    expect(response.headers.getSetCookie()).toEqual(['kiln_theme=dark; Path=/'])
  })
})

describe('noStoreText', () => {
  it('answers UTF-8 plain text, no-store', async () => {
    const response = noStoreText('database: the disk is full – café', 503)
    expect(response.status).toBe(503)
    expect(response.headers.get('Content-Type')).toBe('text/plain; charset=utf-8')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(await response.text()).toBe('database: the disk is full – café')
  })

  it('adds a challenge to a 401', () => {
    const response = noStoreText('A valid bearer token is required.\n', 401, { 'WWW-Authenticate': 'Bearer' })
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer')
  })
})

describe('noStoreHtml', () => {
  it('answers an HTML document, no-store', async () => {
    const response = noStoreHtml('<!doctype html><p>Continue</p>', 200, { 'Cache-Control': 'private, no-store' })
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')
    expect(await response.text()).toBe('<!doctype html><p>Continue</p>')
  })
})
