/** msw handlers exposing MockBackend with the gateway's paths, status codes and /ws. */
import { http, ws, type HttpHandler, type WebSocketHandler } from 'msw'
import { HttpError, type MockBackend } from './backend'
import { screenshotHandlers } from './screenshots'

function fail(err: unknown): Response {
  if (err instanceof HttpError) return Response.json({ detail: err.detail }, { status: err.status })
  return Response.json({ detail: err instanceof Error ? err.message : String(err) }, { status: 500 })
}

async function body(request: Request): Promise<Record<string, unknown>> {
  try {
    const b: unknown = await request.json()
    return b && typeof b === 'object' ? (b as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function wrap(fn: () => unknown): Promise<Response> {
  return Promise.resolve()
    .then(fn)
    .then(
      (v) => Response.json(v),
      (err: unknown) => fail(err),
    )
}

export function createHandlers(backend: MockBackend, origin: string): (HttpHandler | WebSocketHandler)[] {
  const events = ws.link(`${origin.replace(/^http/, 'ws')}/ws`)
  const m = (params: Record<string, string | readonly string[] | undefined>): string => String(params.module)
  return [
    http.get('/healthz', () => wrap(() => backend.health())),
    http.get('/api/modules', () => wrap(() => backend.modules())),
    http.get('/api/scriptor/available-states', () => wrap(() => backend.options('/api/scriptor/available-states'))),
    http.get('/api/scriptor/weight-titles', () => wrap(() => backend.options('/api/scriptor/weight-titles'))),
    http.get('/api/scriptor/history', ({ request }) => wrap(() => backend.history(Number(new URL(request.url).searchParams.get('limit') ?? 500)))),
    http.get('/api/scriptor/errors', () => wrap(() => backend.bundles())),
    http.get('/api/scriptor/offsets', () => wrap(() => backend.offsets())),
    // the shipped screen model only (the mock trains nothing)
    http.get('/api/ui_recognition/models', () => wrap(() => [{ name: 'shipped', in_use: true, path: '(shipped with the product)', screens: 34, val_acc: null, reason: '', saved: null }])),
    http.post('/api/ui_recognition/models/use-shipped', () =>
      wrap(() => ({ moved_to: null, models: [{ name: 'shipped', in_use: true, path: '(shipped with the product)', screens: 34, val_acc: null, reason: '', saved: null }] })),
    ),
    http.put('/api/scriptor/offsets/:device', async ({ params, request }) => {
      const body = (await request.json()) as { pinned: boolean; offset_ms?: number | null }
      return wrap(() => backend.pinOffset(String(params.device), body))
    }),
    http.get('/api/screens/coverage', () => wrap(() => backend.screenCoverage)),
    http.get('/api/scriptor/check-song/:id', ({ params }) => wrap(() => backend.checkSong(Number(params.id)))),
    http.get('/api/workflow/color', ({ request }) =>
      wrap(() => {
        const u = new URL(request.url)
        return backend.color(Number(u.searchParams.get('x')), Number(u.searchParams.get('y')))
      }),
    ),
    http.post('/api/workflow/frames', ({ request }) =>
      wrap(() => {
        const u = new URL(request.url)
        return backend.saveFrame(u.searchParams.get('state') ?? 'unknown', u.searchParams.get('folder'))
      }),
    ),
    http.get('/api/workflow/frames', ({ request }) => wrap(() => backend.listFrames(new URL(request.url).searchParams.get('folder')))),
    http.get('/api/workflow/fit', () => wrap(() => backend.getFit())),
    http.post('/api/workflow/fit/save', () => wrap(() => backend.saveFit())),
    // In the browser a drawn stand-in for the game; in unit tests no device (the live
    // screen then shows why, as with no emulator).
    http.get('/api/device', () => wrap(() => backend.deviceStatus())),
    http.get('/api/devices', () => wrap(() => backend.devices())),
    http.get('/api/device/screen', async () => {
      try {
        return new Response(await backend.deviceScreen(), { headers: { 'Content-Type': 'image/jpeg', 'Cache-Control': 'no-store' } })
      } catch (err) {
        return fail(err)
      }
    }),
    http.get('/api/:module/state', ({ params }) => wrap(() => backend.moduleState(m(params)))),
    http.get('/api/:module/config', ({ params }) => wrap(() => backend.getConfig(m(params)))),
    http.put('/api/:module/config', async ({ params, request }) => wrap(async () => backend.updateConfig(m(params), await body(request), true))),
    http.post('/api/:module/update_config', async ({ params, request }) => wrap(async () => backend.updateConfig(m(params), await body(request)))),
    http.post('/api/:module/tasks/:task/start', ({ params }) => wrap(() => backend.start(m(params), String(params.task)))),
    http.post('/api/:module/tasks/:task/stop', ({ params }) => wrap(() => backend.stop(m(params), String(params.task)))),
    http.post('/api/:module/stop', ({ params }) => wrap(() => backend.stop(m(params)))),
    http.post('/api/:module/reply', async ({ params, request }) =>
      wrap(async () => {
        const b = await body(request)
        return backend.reply(m(params), String(b.answer), typeof b.text === 'string' ? b.text : null, typeof b.prompt_id === 'string' ? b.prompt_id : null)
      }),
    ),
    ...screenshotHandlers(backend),
    http.get('/api/:module/images', ({ params }) => wrap(() => backend.images(m(params)))),
    http.get('/api/:module/images/:kind', ({ params }) => {
      const frame = backend.image(m(params), String(params.kind))
      if (!frame?.png) return Response.json({ detail: `${m(params)} has published no ${String(params.kind)} image yet` }, { status: 404 })
      return new Response(frame.png, { headers: { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' } })
    }),
    events.addEventListener('connection', ({ client }) => {
      const since = new Map<string, string>()
      for (const part of (new URL(client.url).searchParams.get('since') ?? '').split(',')) {
        const at = part.lastIndexOf(':')
        if (at > 0) since.set(part.slice(0, at), part.slice(at + 1))
      }
      client.send(JSON.stringify({ type: 'snapshot', modules: backend.snapshot() }))
      for (const [module, from] of since) {
        const { events: missed, trimmed } = backend.replay(module, from)
        if (trimmed) client.send(JSON.stringify({ type: 'trimmed', module, data: { oldest: trimmed, since: from } }))
        for (const e of missed) client.send(JSON.stringify(e))
      }
      const off = backend.subscribe((e) => client.send(JSON.stringify(e)))
      client.addEventListener('close', off)
    }),
  ]
}
