// The snapshot's latest image per kind: a reload shows pictures whose events the capped
// stream trimmed, without replacing newer ones the store already has from replayed events.
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import type { LatestImage } from '@/api/events'
import { useBackendStore } from '@/stores/backend'
import { useTelemetryStore } from '@/stores/telemetry'
import { useMockBackend } from './helpers'

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

function latest(kind: string, id: string, meta: Record<string, unknown> = {}): LatestImage {
  return { kind, url: `/api/song_recognition/images/${kind}?v=${id}`, width: 640, height: 360, meta, id, ts: Number(id.split('-')[0]) }
}

describe('snapshot images', () => {
  it('fills images[module][kind] from the snapshot, keeping newer replayed images', () => {
    const b = useBackendStore()
    const t = useTelemetryStore()
    // a replayed event already brought a newer loss curve, and an older frame
    b.handleMessage({ id: '50-0', module: 'song_recognition', type: 'image', ts: 50, data: { kind: 'loss_curve', url: '/new-loss', width: 600, height: 320, meta: {} } })
    b.handleMessage({ id: '5-0', module: 'song_recognition', type: 'image', ts: 5, data: { kind: 'frame', url: '/old-frame', width: 1280, height: 720, meta: {} } })
    const images = {
      loss_curve: latest('loss_curve', '40-0'),
      frame: latest('frame', '30-0', { frame: 'a.png' }),
      similarity_histogram: latest('similarity_histogram', '45-1', { pairs: 12 }),
    }
    b.handleMessage({ type: 'snapshot', modules: { song_recognition: { status: 'finished', last_id: '60-0', images } } })
    const got = t.images.song_recognition ?? {}
    expect(got.loss_curve).toMatchObject({ id: '50-0', url: '/new-loss' })
    expect(got.frame).toEqual(images.frame)
    expect(got.similarity_histogram).toEqual(images.similarity_histogram)
    // a snapshot without images (or an equal id) changes nothing
    b.handleMessage({ type: 'snapshot', modules: { song_recognition: { status: 'idle', last_id: '60-0' } } })
    b.handleMessage({ type: 'snapshot', modules: { song_recognition: { status: 'idle', last_id: '60-0', images: { frame: { ...images.frame, url: '/same-id' } } } } })
    expect(t.images.song_recognition?.frame?.url).toBe(images.frame.url)
  })

  it("mock backend: the snapshot and GET /api/{module}/images keep an image its stream trimmed", async () => {
    const mock = useMockBackend()
    const ev = mock.emit('workflow', 'image', { kind: 'frame', url: '/api/workflow/images/frame?v=1', width: 1280, height: 720, meta: { n: 3 } })
    mock.emit('workflow', 'log', { level: 'info', message: 'later', task: 'workflow', job_id: 'j' })
    mock.streams.get('workflow')?.splice(0, 1) // the stream's cap trimmed the image event
    expect(mock.streams.get('workflow')?.some((e) => e.type === 'image')).toBe(false)
    const snapshot = mock.snapshot()
    const want = { kind: 'frame', url: '/api/workflow/images/frame?v=1', width: 1280, height: 720, meta: { n: 3 }, id: ev.id, ts: ev.ts }
    expect(snapshot.workflow?.images).toEqual({ frame: want })
    expect(snapshot.fetch?.images).toEqual({})
    expect(await (await fetch('/api/workflow/images')).json()).toEqual([want])
    expect((await fetch('/api/nope/images')).status).toBe(404)
    useBackendStore().handleMessage({ type: 'snapshot', modules: snapshot })
    expect(useTelemetryStore().images.workflow?.frame).toEqual(want)
  })
})
