/**
 * Test wiring: the stores talk HTTP to the dev mock backend (src/mocks) through msw's
 * request resolver, the same handlers `npm run dev:mock` serves; no other doubles.
 */
import { getResponse, HttpHandler } from 'msw'
import { MockBackend, type MockOptions } from '@/mocks/backend'
import { createHandlers } from '@/mocks/handlers'

export const ORIGIN = 'http://localhost:3000'

export function useMockBackend(opts: MockOptions = {}): MockBackend {
  const backend = new MockBackend({ tick: 0.01, ...opts })
  // the WebSocket link is not an HTTP handler: store tests feed events directly
  const handlers = createHandlers(backend, ORIGIN).filter((h): h is HttpHandler => h instanceof HttpHandler)
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' || input instanceof URL ? new URL(input, ORIGIN) : new URL(input.url)
    const request = new Request(url, init)
    return (await getResponse(handlers, request)) ?? new Response('{"detail":"Not Found"}', { status: 404 })
  }
  return backend
}

export async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now()
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached')
    await new Promise((r) => setTimeout(r, 5))
  }
}
