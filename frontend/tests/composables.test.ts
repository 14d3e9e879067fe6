import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick, ref } from 'vue'
import { useAsyncCheck } from '@/composables/useAsyncCheck'
import { useAutoScroll } from '@/composables/useAutoScroll'
import { useManyOf } from '@/composables/useManyOf'
import { useNumberField } from '@/composables/useNumberField'
import { useOneOf } from '@/composables/useOneOf'
import { toPixel } from '@/composables/usePixelProbe'
import { useToggle } from '@/composables/useToggle'
import { useTuple, type Cell } from '@/composables/useTuple'

describe('useToggle', () => {
  it('flips and respects disabled', () => {
    const v = ref(false)
    const disabled = ref(false)
    const t = useToggle({ value: v, disabled, onChange: (n) => (v.value = n) })
    t.toggle()
    expect(v.value).toBe(true)
    expect(t.state.value).toBe('on')
    disabled.value = true
    t.toggle()
    expect(v.value).toBe(true)
  })
})

describe('useOneOf', () => {
  const options = ['Loop', 'Random', 'ListUp', 'ListDown', 'No']
  it('moves with arrows (wrapping), selects, and keeps one tab stop', () => {
    const v = ref<string | undefined>('Loop')
    const g = useOneOf({ options, value: v, onChange: (n) => (v.value = n) })
    expect(options.map((_, i) => g.tabIndexOf(i))).toEqual([0, -1, -1, -1, -1])
    expect(g.onKey('ArrowLeft', 0)).toBe(4)
    expect(v.value).toBe('No')
    expect(g.onKey('ArrowRight', 4)).toBe(0)
    expect(v.value).toBe('Loop')
    expect(g.onKey('End', 0)).toBe(4)
    expect(g.onKey('Home', 4)).toBe(0)
    expect(g.onKey('x', 0)).toBeNull()
    g.select('ListUp')
    expect(g.tabIndexOf(2)).toBe(0)
  })
  it('ignores values outside the options and changes while disabled', () => {
    const v = ref<string | undefined>('Loop')
    const g = useOneOf({ options, value: v, disabled: true, onChange: (n) => (v.value = n) })
    g.select('Random')
    g.select('Nope')
    expect(v.value).toBe('Loop')
  })
})

describe('useNumberField', () => {
  it('commits parsed numbers, keeps bad text as a draft with a message', () => {
    const v = ref<number | undefined>(100)
    const changes: number[] = []
    const f = useNumberField({ value: v, min: 10, max: 1000, integer: true, onChange: (n) => changes.push(n) })
    f.input('250')
    f.input('12a')
    f.input('3.5')
    expect(changes).toEqual([250])
    expect(f.parseError.value).toBe('must be a whole number')
    f.input('5')
    expect(changes).toEqual([250, 5]) // range is the server's call; the field flags it
    expect(f.state.value).toBe('out-of-range')
    expect(f.rangeText.value).toBe('10 – 1000')
  })
  it('steps and clamps to the bounds', () => {
    const v = ref<number | undefined>(999)
    const f = useNumberField({ value: v, min: 10, max: 1000, integer: true, onChange: (n) => (v.value = n) })
    f.nudge(1, 10)
    expect(v.value).toBe(1000)
    f.input('11')
    f.nudge(-1, 10)
    expect(v.value).toBe(10)
  })
  it('steps floats by their magnitude and names int32', () => {
    const v = ref<number | undefined>(0.01)
    const f = useNumberField({ value: v, min: 0.0001, max: 0.1, onChange: (n) => (v.value = n) })
    f.nudge(1)
    expect(v.value).toBeCloseTo(0.02)
    const g = useNumberField({ value: ref(0), min: -(2 ** 31), max: 2 ** 31 - 1, integer: true, onChange: () => undefined })
    expect(g.rangeText.value).toBe('int32')
  })
  it('follows outside changes of the value', async () => {
    const v = ref<number | undefined>(1)
    const f = useNumberField({ value: v, onChange: () => undefined })
    v.value = 42
    await nextTick()
    expect(f.draft.value).toBe('42')
  })
})

describe('useManyOf', () => {
  it('adds, removes, filters and keeps order', () => {
    const v = ref<string[]>(['join_wait'])
    const m = useManyOf({ options: ['ready', 'ready_done', 'join_wait', 'award'], value: v, onChange: (n) => (v.value = n) })
    m.add('ready_done')
    m.add('ready_done')
    expect(v.value).toEqual(['join_wait', 'ready_done'])
    m.query.value = 'rea'
    expect(m.filtered.value).toEqual(['ready'])
    m.addFirstMatch()
    expect(v.value).toEqual(['join_wait', 'ready_done', 'ready'])
    expect(m.query.value).toBe('')
    m.remove('join_wait')
    expect(v.value).toEqual(['ready_done', 'ready'])
    expect(m.isKnown('bogus')).toBe(false)
  })
})

describe('useTuple', () => {
  const types = ['string', 'number', 'number', 'number', 'number', 'number'] as const
  it('commits only when every cell parses', () => {
    const v = ref<Cell[][]>([['newbee', 0.85, 0.095, 0.005, 0.015, 0.035]])
    const t = useTuple({ value: v, types, onChange: (n) => (v.value = n) })
    t.setCell(0, 1, '0.9')
    expect(v.value[0]?.[1]).toBe(0.9)
    t.setCell(0, 2, 'abc')
    expect(t.cellError(0, 2)).toBe('not a number')
    t.setCell(0, 1, '0.8')
    expect(v.value[0]?.[1]).toBe(0.9) // held back while a cell is invalid
    t.setCell(0, 2, '0.1')
    expect(v.value[0]).toEqual(['newbee', 0.8, 0.1, 0.005, 0.015, 0.035])
  })
  it('adds a usable row and removes rows', () => {
    const v = ref<Cell[][]>([['god', 1, 0, 0, 0, 0]])
    const t = useTuple({ value: v, types, onChange: (n) => (v.value = n) })
    t.addRow()
    expect(v.value).toHaveLength(2)
    expect(v.value[1]).toEqual(['new2', 1, 0, 0, 0, 0])
    t.removeRow(0)
    expect(v.value.map((r) => r[0])).toEqual(['new2'])
  })
})

describe('useAsyncCheck', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('debounces and never lets an old answer overwrite a newer one', async () => {
    const v = ref<unknown>(655)
    const resolvers = new Map<unknown, (r: { ok: boolean; message: string }) => void>()
    const calls: unknown[] = []
    const c = useAsyncCheck({
      value: v,
      delay: 300,
      check: (value) =>
        new Promise((res) => {
          calls.push(value)
          resolvers.set(value, res)
        }),
    })
    v.value = 656
    await nextTick()
    v.value = 657
    await nextTick()
    await vi.advanceTimersByTimeAsync(300)
    expect(calls).toEqual([657]) // 655/656 were debounced away
    v.value = 700
    await nextTick()
    await vi.advanceTimersByTimeAsync(300)
    resolvers.get(700)?.({ ok: false, message: 'no chart' })
    await vi.advanceTimersByTimeAsync(0)
    resolvers.get(657)?.({ ok: true, message: 'fine' })
    await vi.advanceTimersByTimeAsync(0)
    expect(c.state.value).toBe('warning')
    expect(c.message.value).toBe('no chart')
  })
})

describe('useAutoScroll', () => {
  function box(scrollHeight: number, clientHeight: number, scrollTop: number): HTMLElement {
    const el = document.createElement('div')
    Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => scrollHeight })
    Object.defineProperty(el, 'clientHeight', { configurable: true, get: () => clientHeight })
    el.scrollTop = scrollTop
    return el
  }
  it('follows at the bottom, pauses and counts when scrolled up, resumes', async () => {
    const el = box(1000, 200, 800)
    const s = useAutoScroll(ref(el))
    s.onScroll()
    expect(s.following.value).toBe(true)
    el.scrollTop = 100
    s.onScroll()
    expect(s.following.value).toBe(false)
    await s.onContent(3)
    await s.onContent(2)
    expect(s.unseen.value).toBe(5)
    expect(el.scrollTop).toBe(100)
    await s.resume()
    expect(s.unseen.value).toBe(0)
    expect(s.following.value).toBe(true)
  })
})

describe('toPixel', () => {
  const natural = { width: 1280, height: 720 }
  it('maps a scaled image to exact source pixels', () => {
    const rect = { left: 10, top: 20, width: 640, height: 360 }
    expect(toPixel(10, 20, rect, natural)).toEqual({ x: 0, y: 0 })
    expect(toPixel(10.6, 20.6, rect, natural)).toEqual({ x: 1, y: 1 })
    expect(toPixel(330, 200, rect, natural)).toEqual({ x: 640, y: 360 })
    expect(toPixel(649.99, 379.99, rect, natural)).toEqual({ x: 1279, y: 719 })
    expect(toPixel(650, 100, rect, natural)).toBeNull()
    expect(toPixel(5, 100, rect, natural)).toBeNull()
  })
  it('is the identity at scale 1', () => {
    const rect = { left: 0, top: 0, width: 1280, height: 720 }
    expect(toPixel(1080.5, 42.2, rect, natural)).toEqual({ x: 1080, y: 42 })
  })
})

describe('usePixelProbe keyboard', () => {
  it('starts at the centre, moves by pixels and stays inside the frame', async () => {
    const { usePixelProbe } = await import('@/composables/usePixelProbe')
    const p = usePixelProbe()
    const width = 4
    const height = 3
    const data = new Uint8ClampedArray(width * height * 4)
    for (let i = 0; i < width * height; i++) data.set([i * 10, 255 - i * 10, 7, 255], i * 4)
    p.pixels.value = { width, height, data, colorSpace: 'srgb' } as ImageData
    p.moveBy(1, 0)
    expect(p.probe.value).toMatchObject({ x: 2, y: 1 })
    expect(p.probe.value?.rgb).toEqual([60, 195, 7])
    p.moveBy(10, 10)
    expect(p.probe.value).toMatchObject({ x: 3, y: 2 })
    p.moveBy(-10, -10)
    expect(p.probe.value).toMatchObject({ x: 0, y: 0 })
  })
})
