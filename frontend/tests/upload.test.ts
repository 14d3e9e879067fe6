import { describe, expect, it } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { ApiError } from '@/api/client'
import type { ScreenshotList, ScreenshotUpload } from '@/api/types'
import { useScreenshotUpload, type ScreenshotApi } from '@/composables/useScreenshotUpload'
import { MockBackend } from '@/mocks/backend'
import { MockScreenshots } from '@/mocks/screenshots'

const flush = () => new Promise((r) => setTimeout(r, 0))
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])

/** A fake server holding names per module; files named bad* are refused with a 422. */
function fakeApi() {
  const folders = new Map<string, string[]>()
  const calls: string[] = []
  const list = (module: string): ScreenshotList => {
    const names = folders.get(module) ?? []
    return { module, folder: `${module}-shots`, count: names.length, files: [...names].reverse() }
  }
  const api: ScreenshotApi = {
    list: (module) => {
      calls.push(`list ${module}`)
      return Promise.resolve(list(module))
    },
    upload: (module, files) => {
      calls.push(`upload ${module} ${files.map((f) => f.name).join(',')}`)
      const names = folders.get(module) ?? []
      folders.set(module, names)
      const results: ScreenshotUpload['results'] = files.map((f) => {
        const ok = !f.name.startsWith('bad')
        if (ok) names.push(f.name)
        return { filename: f.name, ok, stored_as: ok ? f.name : null, width: null, height: null, error: ok ? null : 'not a PNG or JPEG image' }
      })
      const refused = results.filter((r) => !r.ok)
      if (refused.length) {
        const detail = refused.map((r) => ({ loc: ['body', 'files', 0], msg: `${r.filename}: ${r.error}`, type: 'invalid_image', input: r.filename }))
        return Promise.reject(new ApiError(422, detail, detail.map((d) => d.msg).join('; ')))
      }
      return Promise.resolve({ ...list(module), results })
    },
  }
  return { api, calls }
}

const file = (name: string) => new File([PNG], name, { type: 'image/png' })

/** The composable inside an effect scope, as in a component (its timers are disposed). */
function mounted(opts: Parameters<typeof useScreenshotUpload>[0]) {
  const scope = effectScope()
  const up = scope.run(() => useScreenshotUpload(opts))!
  return Object.assign(up, { unmount: () => scope.stop() })
}

describe('useScreenshotUpload', () => {
  it('lists the folder, uploads, and re-lists', async () => {
    const { api, calls } = fakeApi()
    const module = ref('song_recognition')
    const folderSetting = ref('shots')
    const up = mounted({ module, api, refreshOn: folderSetting, refreshDelay: 0 })
    await flush()
    expect(up.count.value).toBe(0)
    expect(up.folder.value).toBe('song_recognition-shots')
    expect(up.state.value).toBe('idle')

    await up.send([file('a.png'), file('b.png')])
    expect(up.state.value).toBe('done')
    expect(up.stored.value).toEqual(['a.png', 'b.png'])
    expect(up.count.value).toBe(2)
    expect(up.files.value).toEqual(['b.png', 'a.png'])
    expect(calls).toEqual(['list song_recognition', 'upload song_recognition a.png,b.png', 'list song_recognition'])

    await up.send([]) // nothing chosen: no request
    expect(calls).toHaveLength(3)

    module.value = 'ui_recognition'
    await nextTick()
    await flush()
    expect(up.folder.value).toBe('ui_recognition-shots')
    expect(up.count.value).toBe(0)

    const before = calls.length
    folderSetting.value = 'elsewhere' // the configured folder changed: list again
    await nextTick()
    await flush()
    expect(calls.slice(before)).toEqual(['list ui_recognition'])
    up.unmount()
  })

  it('shows one error per refused file and still counts the stored ones', async () => {
    const { api } = fakeApi()
    const up = mounted({ module: 'song_recognition', api })
    await up.send([file('bad.png'), file('good.png'), file('bad2.png')])
    expect(up.state.value).toBe('error')
    expect(up.errors.value).toEqual([
      { file: 'bad.png', message: 'bad.png: not a PNG or JPEG image' },
      { file: 'bad2.png', message: 'bad2.png: not a PNG or JPEG image' },
    ])
    expect(up.count.value).toBe(1) // good.png was stored by the same request

    await up.send([file('fine.png')]) // a good upload clears the old errors
    expect(up.errors.value).toEqual([])
    expect(up.state.value).toBe('done')
    up.unmount()
  })

  it('reports a failed request without file names, and tracks drag state over children', async () => {
    const api: ScreenshotApi = {
      list: () => Promise.reject(new ApiError(404, 'module x takes no screenshots', 'module x takes no screenshots')),
      upload: () => Promise.reject(new TypeError('Failed to fetch')),
    }
    const up = mounted({ module: 'x', api })
    await flush()
    expect(up.listError.value).toBe('cannot list screenshots: module x takes no screenshots')
    expect(up.state.value).toBe('error')
    await up.send([file('a.png')])
    expect(up.errors.value).toEqual([{ file: '', message: 'upload failed: Failed to fetch' }])

    const ev = { preventDefault: () => {}, dataTransfer: null } as unknown as DragEvent
    up.onDragEnter(ev)
    up.onDragEnter(ev) // entering a child element
    up.onDragLeave()
    expect(up.state.value).toBe('dragging')
    up.onDragLeave()
    expect(up.state.value).not.toBe('dragging')
    up.unmount()
  })
})

describe('mock backend screenshots', () => {
  it('takes uploads only where the config has screenshot_dir, with safe names and per-file errors', () => {
    const b = new MockScreenshots(new MockBackend({ tick: 0 }))
    expect(() => b.list('fetch')).toThrow(/takes no screenshots/)
    const res = b.upload('song_recognition', [
      { name: '../../evil.png', bytes: PNG },
      { name: 'notes.png', bytes: new TextEncoder().encode('hello') },
      { name: '../../evil.png', bytes: PNG },
    ])
    expect(res.results.map((r) => r.stored_as)).toEqual(['evil.png', null, 'evil-2.png'])
    expect('detail' in res && res.detail.map((d) => d.msg)).toEqual(['notes.png: not a PNG or JPEG image'])
    expect(b.list('song_recognition')).toMatchObject({ count: 2, files: ['evil-2.png', 'evil.png'] })
  })
})
