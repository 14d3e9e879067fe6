import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import TrainingChart from '@/components/TrainingChart.vue'
import type { ModuleProgress } from '@/stores/telemetry'

function progress(n: number, total: number | null): ModuleProgress {
  const points = Array.from({ length: n }, (_, i) => ({ done: i + 1, ts: i, metrics: { loss: 2 / (i + 1), lr: 0.01 * (1 - i / 20) } }))
  return { jobId: 'j', task: 'train_song_recognition', latest: { task: 'train_song_recognition', job_id: 'j', done: n, total, message: `epoch ${n}`, metrics: { loss: 2 / n, lr: 0.001 } }, points }
}

describe('TrainingChart', () => {
  it('draws loss and lr as SVG paths with one vertex per point and shows progress', () => {
    const w = mount(TrainingChart, { props: { progress: progress(10, 20) } })
    const left = w.get('[data-series="left"]').attributes('d') ?? ''
    const right = w.get('[data-series="right"]').attributes('d') ?? ''
    expect(left.match(/[ML]/g)).toHaveLength(10)
    expect(right.match(/[ML]/g)).toHaveLength(10)
    // loss falls: the last vertex is lower on screen (larger y) than the first
    const ys = [...left.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]))
    expect(ys.at(-1)).toBeGreaterThan(ys[0] ?? Infinity)
    expect(w.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('50')
    expect(w.text()).toContain('10 / 20 (50%)')
  })

  it('shows progress without a chart when a task reports no metrics', () => {
    const p = progress(0, null)
    p.latest = { task: 'fetch', job_id: 'j', done: 3, total: null, message: 'chart 3' }
    const w = mount(TrainingChart, { props: { progress: p } })
    expect(w.find('svg').exists()).toBe(false)
    expect(w.get('[role="progressbar"]').attributes('aria-valuenow')).toBeUndefined()
  })
})

describe('TrainingChart metrics', () => {
  it('draws only metrics that change; constants are listed, not plotted', () => {
    const points = Array.from({ length: 5 }, (_, i) => ({ done: i + 1, ts: i, metrics: { images: 12, loss: 1 / (i + 1) } }))
    const w = mount(TrainingChart, {
      props: { progress: { jobId: 'j', task: 't', latest: { task: 't', job_id: 'j', done: 5, total: 5, message: '', metrics: { images: 12, loss: 0.2 } }, points } },
    })
    expect(w.get('.legend.left').text()).toBe('loss')
    expect(w.find('[data-series="right"]').exists()).toBe(false)
    expect(w.get('.metrics').text()).toContain('images')
    const flat = mount(TrainingChart, {
      props: { progress: { jobId: 'j', task: 't', latest: { task: 't', job_id: 'j', done: 5, total: 5, message: '', metrics: { images: 12 } }, points: points.map((p) => ({ ...p, metrics: { images: 12 } })) } },
    })
    expect(flat.find('svg').exists()).toBe(false)
  })
})
