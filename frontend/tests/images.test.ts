// A module's images per kind: labels, the kind switch's follow-newest/pin rules, the panel
// (probe for frames, plain chart with meta for charts) and the mock backend's charts.
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'
import type { ImageData, StreamEvent } from '@/api/events'
import ImagePanel from '@/components/ImagePanel.vue'
import { useImageKinds } from '@/composables/useImageKinds'
import { isChart, kindLabel, metaEntries, orderKinds } from '@/lib/imageKinds'
import { mockSimilarityStats, type Frame } from '@/mocks/backend'
import { useBackendStore } from '@/stores/backend'
import { useTelemetryStore, type ModuleImage } from '@/stores/telemetry'
import { until, useMockBackend } from './helpers'

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

let seq = 0
function img(kind: string, ts: number, meta: Record<string, unknown> = {}): ModuleImage {
  seq++
  return { kind, url: `/api/song_recognition/images/${kind}`, width: 600, height: 320, meta, id: `${ts * 1000}-${seq}`, ts }
}

describe('image kinds', () => {
  it('labels known kinds and title-cases unknown ones', () => {
    expect(kindLabel('frame')).toBe('Frame')
    expect(kindLabel('loss_curve')).toBe('Loss curve')
    expect(kindLabel('similarity_histogram')).toBe('Similarity histogram')
    expect(kindLabel('ui_state_crop')).toBe('Ui State Crop')
    expect(kindLabel('heat-map')).toBe('Heat Map')
    expect(kindLabel('__')).toBe('Image')
  })

  it('orders tabs stably: frame, known charts, others alphabetically', () => {
    expect(orderKinds(['zeta', 'similarity_histogram', 'alpha', 'frame', 'loss_curve'])).toEqual(['frame', 'loss_curve', 'similarity_histogram', 'alpha', 'zeta'])
    expect(isChart('loss_curve') && isChart('similarity_histogram')).toBe(true)
    expect(isChart('frame') || isChart('alpha')).toBe(false)
  })

  it('shows numeric and text meta, rounded, and skips nested values', () => {
    expect(metaEntries({ min: -0.82123456, pairs: 2048, worst_known: 0.94, frame: 'a.png', nested: { a: 1 }, bad: Number.NaN })).toEqual([
      ['min', '-0.8212'],
      ['pairs', '2048'],
      ['worst known', '0.9400'],
      ['frame', 'a.png'],
    ])
  })
})

describe('telemetry store', () => {
  it('keeps the latest image of each kind per module', () => {
    const t = useTelemetryStore()
    const data = (kind: string, n: number): ImageData => ({ kind, url: `/api/song_recognition/images/${kind}`, width: 10, height: 10, meta: { n } })
    t.setImage('song_recognition', '1-0', 1, data('frame', 1))
    t.setImage('song_recognition', '2-0', 2, data('loss_curve', 2))
    t.setImage('song_recognition', '3-0', 3, data('frame', 3))
    t.setImage('workflow', '4-0', 4, data('frame', 4))
    expect(Object.keys(t.images.song_recognition ?? {}).sort()).toEqual(['frame', 'loss_curve'])
    expect(t.images.song_recognition?.frame?.meta).toEqual({ n: 3 })
    expect(t.images.song_recognition?.loss_curve?.id).toBe('2-0')
    expect(t.images.workflow?.frame?.id).toBe('4-0')
  })
})

describe('useImageKinds', () => {
  it('follows the newest kind until the user picks one; a new kind wins again', async () => {
    const images = ref<Record<string, ModuleImage>>({ frame: img('frame', 1) })
    const k = useImageKinds(images)
    expect(k.selected.value).toBe('frame')
    images.value = { ...images.value, loss_curve: img('loss_curve', 2) }
    await nextTick()
    expect(k.selected.value).toBe('loss_curve') // newest
    expect(k.isUnseen('frame')).toBe(false) // it was on screen before
    k.select('frame')
    images.value = { ...images.value, loss_curve: img('loss_curve', 3) }
    await nextTick()
    expect(k.selected.value).toBe('frame') // the pick holds while others update
    expect(k.isUnseen('loss_curve')).toBe(true)
    expect(k.isUnseen('frame')).toBe(false)
    k.select('loss_curve')
    await nextTick()
    expect(k.isUnseen('loss_curve')).toBe(false)
    k.select('frame')
    images.value = { ...images.value, similarity_histogram: img('similarity_histogram', 4) }
    await nextTick()
    expect(k.selected.value).toBe('similarity_histogram') // appeared for the first time
    expect(k.kinds.value).toEqual(['frame', 'loss_curve', 'similarity_histogram'])
    k.select('nonexistent')
    expect(k.selected.value).toBe('similarity_histogram')
  })

  it('breaks equal timestamps by stream id and is empty without images', () => {
    const a = { ...img('frame', 5), id: '5000-1' }
    const b = { ...img('loss_curve', 5), id: '5000-2' }
    expect(useImageKinds({ frame: a, loss_curve: b }).selected.value).toBe('loss_curve')
    const none = useImageKinds(null)
    expect(none.selected.value).toBeNull()
    expect(none.current.value).toBeNull()
  })
})

describe('ImagePanel', () => {
  it('switches kinds by click and keyboard; frames get the probe, charts their meta', async () => {
    const images = {
      frame: img('frame', 1),
      loss_curve: img('loss_curve', 2),
      similarity_histogram: img('similarity_histogram', 3, { min: -0.8, max: 0.95, gap: -0.0123456, pairs: 2048 }),
    }
    const w = mount(ImagePanel, { props: { images }, attachTo: document.body })
    const items = w.findAll('[data-role="image-kinds"] [data-part="item"]')
    expect(items.map((i) => i.text())).toEqual(['Frame', 'Loss curve', 'Similarity histogram'])
    expect(w.get('[data-role="image-panel"]').attributes('data-kind')).toBe('similarity_histogram')
    expect(w.find('[data-role="image-probe"]').exists()).toBe(false)
    const chart = w.get('[data-role="chart-image"]')
    expect(chart.get('h3').text()).toBe('Similarity histogram')
    expect(chart.get('[data-key="gap"] dd').text()).toBe('-0.0123')
    expect(chart.get('[data-key="pairs"] dd').text()).toBe('2048')
    expect(chart.get('img').attributes('src')).toContain('/api/song_recognition/images/similarity_histogram?v=')
    // one tab stop, on the selected kind
    expect(items.map((i) => i.attributes('tabindex'))).toEqual(['-1', '-1', '0'])
    await items[0]?.trigger('click')
    expect(w.get('[data-role="image-panel"]').attributes('data-kind')).toBe('frame')
    expect(w.find('[data-role="image-probe"]').exists()).toBe(true)
    expect(w.find('[data-role="chart-image"]').exists()).toBe(false)
    await w.findAll('[data-part="item"]')[0]?.trigger('keydown', { key: 'ArrowRight' })
    expect(w.get('[data-role="image-panel"]').attributes('data-kind')).toBe('loss_curve')
    expect(w.get('[data-role="chart-image"] h3').text()).toBe('Loss curve')
    expect(w.find('[data-role="chart-meta"]').exists()).toBe(false) // no meta, no list
    expect(document.activeElement?.getAttribute('data-kind')).toBe('loss_curve')
    w.unmount()
  })

  it('shows one kind without a switch, and the empty frame state without images', () => {
    const one = mount(ImagePanel, { props: { images: { frame: img('frame', 1) } } })
    expect(one.find('[data-role="image-kinds"]').exists()).toBe(false)
    expect(one.get('[data-role="image-probe"] h3').text()).toBe('Frame')
    const none = mount(ImagePanel, { props: { images: null } })
    expect(none.get('[data-role="image-probe"]').attributes('data-state')).toBe('empty')
  })
})

describe('mock backend charts', () => {
  it('makes show_features_statistic-like numbers', () => {
    const st = mockSimilarityStats(2048, 7)
    expect(st.counts.reduce((a, b) => a + b, 0)).toBe(2048)
    expect(st.edges).toHaveLength(51)
    expect(-1 <= st.min && st.min <= st.mean && st.mean <= st.max && st.max <= 1).toBe(true)
    expect(st.best_different).toBe(st.max)
    expect(st.gap).toBeCloseTo(st.worst_known - st.max, 3)
    expect(mockSimilarityStats(2048, 7)).toEqual(st)
    expect(mockSimilarityStats(2048, 8)).not.toEqual(st)
  })

  it('training publishes a loss curve and, at the end, the similarity histogram', async () => {
    const drawn: string[] = []
    const makeChart = async (spec: { kind: string }): Promise<Frame> => {
      // loss curves draw slowly: the events must still keep the task's order
      await new Promise((r) => setTimeout(r, spec.kind === 'loss_curve' ? 20 : 0))
      drawn.push(spec.kind)
      return { width: 600, height: 320, rgba: new Uint8ClampedArray(4), png: new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' }) }
    }
    const backend = useMockBackend({ makeChart })
    const b = useBackendStore()
    await b.load()
    const off = backend.subscribe((e) => b.handleMessage(e as unknown as StreamEvent))
    await b.start('song_recognition', 'train_song_recognition')
    const t = useTelemetryStore()
    await until(() => !!t.images.song_recognition?.similarity_histogram, 5000)
    off()
    const kinds = useImageKinds(() => t.images.song_recognition)
    expect(kinds.kinds.value).toEqual(['loss_curve', 'similarity_histogram'])
    expect(kinds.selected.value).toBe('similarity_histogram')
    const meta = t.images.song_recognition?.similarity_histogram?.meta ?? {}
    expect(Number(meta.min)).toBeLessThanOrEqual(Number(meta.max))
    expect(Number(meta.gap)).toBeCloseTo(Number(meta.worst_known) - Number(meta.max), 3)
    expect(drawn.filter((k) => k === 'similarity_histogram')).toHaveLength(1)
    expect(drawn.at(-1)).toBe('similarity_histogram')
    expect(drawn.filter((k) => k === 'loss_curve')).toHaveLength(4) // epochs 5, 10, 15 and the end of 20
    const res = await fetch('/api/song_recognition/images/similarity_histogram')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    expect((await fetch('/api/song_recognition/images/frame')).status).toBe(404)
  })
})
