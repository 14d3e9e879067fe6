/**
 * The dev mock of /api/{module}/screenshots (services/gateway/routes/screenshots.py): modules
 * whose config schema has ``screenshot_dir`` take uploads into that folder; other modules
 * answer 404. Files are checked by signature (PNG / JPEG) and size, named like the gateway
 * names them (last path part, [A-Za-z0-9._-], ``-<n>`` instead of overwriting); a refused
 * file gives a 422 naming it while the others are kept. Only the names are kept.
 */
import { http, type HttpHandler } from 'msw'
import type { ScreenshotList, ScreenshotRejected, ScreenshotUpload } from '@/api/types'
import { HttpError, type MockBackend } from './backend'

const MAX_BYTES = 16 << 20

export interface UploadedFile {
  name: string
  bytes: Uint8Array
}

export function safeName(clientName: string, ext: string): string {
  const base = clientName.split(/[\\/]/).pop() ?? ''
  const dot = base.replace(/^\.+/, '').includes('.') ? base.lastIndexOf('.') : -1
  const stem = (dot > 0 ? base.slice(0, dot) : base)
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, 64)
    .replace(/[._-]+$/, '')
  return `${stem || 'screenshot'}${ext}`
}

function kindOf(b: Uint8Array): '.png' | '.jpg' | null {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return '.png'
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return '.jpg'
  return null
}

export class MockScreenshots {
  /** folder -> names, oldest first */
  readonly folders = new Map<string, string[]>()

  constructor(private readonly backend: MockBackend) {}

  private folder(module: string): string {
    const info = this.backend.modules().find((m) => m.name === module)
    if (!info) throw new HttpError(404, `unknown module '${module}'`)
    const props = (info.config_schema as { properties?: Record<string, unknown> }).properties ?? {}
    if (!('screenshot_dir' in props)) throw new HttpError(404, `module '${module}' takes no screenshots`)
    return String(this.backend.getConfig(module).config.screenshot_dir ?? 'screenshots')
  }

  list(module: string): ScreenshotList {
    const folder = this.folder(module)
    const names = this.folders.get(folder) ?? []
    return { module, folder, count: names.length, files: [...names].reverse().slice(0, 200) }
  }

  upload(module: string, files: UploadedFile[]): ScreenshotUpload | ScreenshotRejected {
    const names = this.folders.get(this.folder(module)) ?? []
    this.folders.set(this.folder(module), names)
    const results: ScreenshotUpload['results'] = []
    const detail: ScreenshotRejected['detail'] = []
    files.forEach((f, i) => {
      const ext = kindOf(f.bytes)
      const error = !f.bytes.length ? 'the file is empty' : f.bytes.length > MAX_BYTES ? 'larger than 16 MiB' : ext ? null : 'not a PNG or JPEG image'
      if (error || !ext) {
        results.push({ filename: f.name, ok: false, stored_as: null, width: null, height: null, error })
        detail.push({ loc: ['body', 'files', i], msg: `${f.name}: ${error}`, type: 'invalid_image', input: f.name })
        return
      }
      const first = safeName(f.name, ext)
      let stored = first
      for (let n = 2; names.includes(stored); n++) stored = first.replace(/(\.[a-z]+)$/, `-${n}$1`)
      names.push(stored)
      results.push({ filename: f.name, ok: true, stored_as: stored, width: null, height: null, error: null })
    })
    const body = { ...this.list(module), results }
    return detail.length ? { ...body, detail } : body
  }
}

export function screenshotHandlers(backend: MockBackend, store = new MockScreenshots(backend)): HttpHandler[] {
  const fail = (err: unknown): Response =>
    err instanceof HttpError ? Response.json({ detail: err.detail }, { status: err.status }) : Response.json({ detail: String(err) }, { status: 500 })
  return [
    http.get('/api/:module/screenshots', ({ params }) => {
      try {
        return Response.json(store.list(String(params.module)))
      } catch (err) {
        return fail(err)
      }
    }),
    http.post('/api/:module/screenshots', async ({ params, request }) => {
      try {
        const form = await request.formData()
        const uploads = form.getAll('files').filter((f): f is File => typeof f !== 'string')
        const files = await Promise.all(uploads.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })))
        const res = store.upload(String(params.module), files)
        return Response.json(res, { status: 'detail' in res ? 422 : 200 })
      } catch (err) {
        return fail(err)
      }
    }),
  ]
}
