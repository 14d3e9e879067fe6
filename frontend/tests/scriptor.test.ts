import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import type { PlayRecord, ScriptorLive } from '@/api/types'
import ScriptorPanel from '@/components/ScriptorPanel.vue'
import { useScriptorHistory } from '@/composables/useScriptorHistory'
import { useScriptorLive } from '@/composables/useScriptorLive'
import { liveFields } from '@/lib/live'
import {
  bundleFileUrl,
  bundleFromError,
  bundleName,
  explainLog,
  formatDuration,
  formatOffset,
  formatPlayTime,
  historyChart,
  resultOf,
  scriptorWarnings,
  type LogLineLike,
} from '@/lib/scriptor'
import { runMockScriptor, seedHistory, type ScriptorHost } from '@/mocks/scriptor'
import { useBackendStore, type ModuleState } from '@/stores/backend'
import { until, useMockBackend } from './helpers'

const play = (over: Partial<PlayRecord> = {}): PlayRecord => ({
  wrong_song: false,
  skipped: false,
  song_id: 316,
  title: 'オレンジ',
  difficulty: 'expert',
  mode: 'Free',
  counts: { perfect: 100, great: 0, good: 0, bad: 0, miss: 0 },
  fast: 0,
  slow: 0,
  cleared: true,
  correction_time_us: -45_000,
  performance: 'AllPerfect',
  simulated: true,
  device: 'emulator-5554',
  ts: 1_700_000_000,
  level: 25,
  note: '',
  ...over,
})

const running = (fields: Record<string, unknown>, over: Partial<ModuleState> = {}): ModuleState => ({
  status: 'running',
  task: 'start_scriptor',
  jobId: 'j1',
  error: null,
  fields,
  ...over,
})

async function flush(): Promise<void> {
  for (let i = 0; i < 6; i++) await Promise.resolve()
  await nextTick()
}

describe('scriptor fields and words', () => {
  it('reads the loop fields as their generated model', () => {
    const live = liveFields('scriptor', { fields: { screen: 'ready', confidence: 0.98, cycle: 12, time_in_state_s: 1.6, in_play: true, plays: 2 } })
    expect(live.time_in_state_s).toBe(1.6)
    expect(live).toMatchObject({ screen: 'ready', in_play: true, plays: 2 })
  })

  it('formats durations, offsets, play times and finds the error bundle in a message', () => {
    expect(formatDuration(4.26)).toBe('4.3 s')
    expect(formatDuration(125)).toBe('2 min 05 s')
    expect(formatDuration(3720)).toBe('1 h 02 min')
    expect(formatOffset(-45_000)).toBe('\u221245.0 ms')
    expect(formatOffset(2500)).toBe('+2.5 ms')
    expect(formatOffset(0)).toBe('0.0 ms')
    const t = new Date(2026, 11, 1, 9, 5, 7).getTime() / 1000
    expect(formatPlayTime(t, t + 60)).toBe('09:05')
    expect(formatPlayTime(t, t + 3 * 86400)).toBe('Dec 1')
    expect(bundleFromError('gave up: unknown screen; still stuck (error bundle: scriptor/errors/20261201-101010)')).toBe('scriptor/errors/20261201-101010')
    expect(bundleFromError('boom')).toBeNull()
    expect(bundleName('scriptor/errors/20261201-101010')).toBe('20261201-101010')
    expect(bundleName('scriptor/errors/20261201-101010-2/')).toBe('20261201-101010-2')
    expect(bundleName('scriptor/errors/../x')).toBeNull()
    expect(bundleName(null)).toBeNull()
    expect(bundleFileUrl('20261201-101010', 'frame 1.png')).toBe('/api/scriptor/errors/20261201-101010/frame%201.png')
  })

  it('explains the loop warnings in plain words and keeps other messages as they are', () => {
    const w = (message: string, level = 'warning'): ReturnType<typeof explainLog> => explainLog({ ts: 1, level, message })
    expect(w('device: no emulator at 127.0.0.1:7555; retrying in 2 s (2)')).toMatchObject({ kind: 'device', text: expect.stringContaining('not answering (no emulator at 127.0.0.1:7555); trying again in 2 s (attempt 2)') })
    expect(w('song not recognised surely (best 570 0.41, next 316 0.40); frame saved as unsure-1.png')).toMatchObject({ kind: 'song', text: expect.stringContaining('unsure-1.png for Add songs') })
    expect(w('recovery: back (unknown screen)')?.text).toBe('Recovering: pressing BACK (unknown screen).')
    expect(w('recovery: restart (unknown screen; BACK for 60 s did not help)')?.text).toContain('restarting the game')
    expect(w('ready seen 12 times: pressing start again')?.kind).toBe('room')
    expect(w('play failed: sender died', 'error')).toMatchObject({ kind: 'play', text: expect.stringContaining('sender died') })
    expect(w('something new')).toMatchObject({ kind: 'other', text: 'something new' })
    expect(w('screen: ready (0.98)', 'info')).toBeNull()
  })

  it('lists the warnings of the moment: latest per kind, within the window, device cleared when it answers', () => {
    const lines: LogLineLike[] = [
      { ts: 100, level: 'warning', message: 'recovery: back (unknown screen)' },
      { ts: 150, level: 'warning', message: 'device: offline; retrying in 1 s (1)' },
      { ts: 152, level: 'warning', message: 'device: offline; retrying in 2 s (2)' },
      { ts: 160, level: 'warning', message: 'song not recognised surely (none); frame saved as a.png' },
    ]
    const live = ({ screen: 'choose', confidence: 0.9 } satisfies ScriptorLive)
    const at = (now: number, extra: LogLineLike[] = [], s = running({})) => scriptorWarnings({ status: s.status, error: s.error, live, lines: [...lines, ...extra], now })
    expect(at(170).map((w) => w.kind)).toEqual(['song', 'device']) // recovery is older than 30 s
    expect(at(170)[1]?.text).toContain('attempt 2')
    expect(at(170, [{ ts: 165, level: 'info', message: 'device answers again after 2 failed tries' }]).map((w) => w.kind)).toEqual(['song'])
    expect(at(200)).toEqual([]) // all expired
    expect(scriptorWarnings({ status: 'finished', error: null, live, lines, now: 170 })).toEqual([]) // not running: nothing logged counts
    // a known screen that began after the recovery step: recovered
    const moved = (inState: number) => scriptorWarnings({ status: 'running', error: null, live: ({ screen: 'choose', time_in_state_s: inState } satisfies ScriptorLive), lines: [lines[0]!], now: 110 })
    expect(moved(5).map((w) => w.kind)).toEqual([]) // choose since 105, after the step at 100
    expect(moved(20).map((w) => w.kind)).toEqual(['recovery']) // stuck on choose since 90: still recovering
    const unknown = scriptorWarnings({ status: 'running', error: null, live: ({ screen: 'unknown', confidence: 0.42 } satisfies ScriptorLive), lines: [], now: 0 })
    expect(unknown[0]).toMatchObject({ kind: 'screen', text: expect.stringContaining('42 % sure') })
  })

  it('says why a run stopped, with its error bundle', () => {
    const live = ({ error_bundle: 'scriptor/errors/20261201-1' } satisfies ScriptorLive)
    const [w] = scriptorWarnings({ status: 'failed', error: 'gave up: the device stopped answering', live, lines: [], now: 0 })
    expect(w).toMatchObject({ kind: 'stopped', text: 'Stopped: gave up: the device stopped answering (error bundle: scriptor/errors/20261201-1)' })
  })
})

describe('history chart and results', () => {
  const box = { w: 200, h: 110, top: 10, bottom: 0, left: 0, right: 0 }

  it('stacks each play from Perfect up to 100 % on an axis zoomed to the lowest Perfect share', () => {
    const chart = historyChart([play(), play({ counts: { perfect: 85, great: 10, good: 3, bad: 1, miss: 1 } })], box)
    expect(chart.floor).toBeCloseTo(0.8)
    expect(chart.ticks.map((t) => t.y)).toEqual([110, 60, 10])
    const [ap, mixed] = chart.bars
    expect(ap?.segments).toEqual([{ judgement: 'perfect', y: 10, h: 100 }])
    expect(mixed?.segments.map((s) => s.judgement)).toEqual(['perfect', 'great', 'good', 'bad', 'miss'])
    const top = mixed!.segments[mixed!.segments.length - 1]!
    expect(top.y).toBeCloseTo(10) // the stack ends at 100 %
    const heights = mixed!.segments.map((s) => s.h)
    expect(heights[0]).toBeCloseTo(25) // 80 % .. 85 %
    expect(heights[1]).toBeCloseTo(50) // 10 % of notes over a 20 % axis
    expect(mixed!.label).toContain('Great 10')
  })

  it('keeps 90 % as the floor for All Perfect runs and marks failed and unread plays', () => {
    const chart = historyChart([play(), play({ cleared: false, counts: {} }), play({ counts: {}, note: 'result screen unreadable' })], box)
    expect(chart.floor).toBeCloseTo(0.9)
    expect(chart.bars.map((b) => [b.failed, b.counted])).toEqual([
      [false, true],
      [true, false],
      [false, false],
    ])
    expect(chart.bars[2]?.label).toContain('result screen unreadable')
    expect(historyChart(Array.from({ length: 50 }, () => play()), box, 40).bars).toHaveLength(40)
  })

  it('marks a room song left to the others as skipped, not failed', () => {
    const skipped = play({ cleared: false, skipped: true, counts: {}, note: 'skipped: song 570 has no Expert chart' })
    const [bar] = historyChart([skipped], box).bars
    expect([bar?.failed, bar?.counted]).toEqual([false, false])
    expect(bar?.label).toContain('skipped; skipped: song 570 has no Expert chart')
  })

  it('names a result', () => {
    expect(resultOf(play()).key).toBe('all-perfect')
    expect(resultOf(play({ counts: { perfect: 9, great: 1 } })).key).toBe('cleared')
    expect(resultOf(play({ cleared: false, counts: {} }))).toEqual({ key: 'failed', label: 'failed' })
    expect(resultOf(play({ counts: {} })).key).toBe('cleared') // unread counts are not All Perfect
  })
})

describe('useScriptorHistory', () => {
  it('fetches at once and again when the trigger changes, never leaving a stale answer last', async () => {
    const trigger = ref(0)
    const answers: ((rows: PlayRecord[]) => void)[] = []
    const fetch = vi.fn(() => new Promise<PlayRecord[]>((resolve) => answers.push(resolve)))
    const scope = effectScope()
    const h = scope.run(() => useScriptorHistory({ fetch, trigger: () => trigger.value }))!
    expect(fetch).toHaveBeenCalledTimes(1)
    trigger.value = 1 // a play lands while the first request is out
    await flush()
    expect(fetch).toHaveBeenCalledTimes(1) // one at a time
    answers[0]!([play()])
    await flush()
    expect(fetch).toHaveBeenCalledTimes(2) // asked once more for the change
    answers[1]!([play(), play({ song_id: 570 })])
    await flush()
    expect(h.records.value.map((r) => r.song_id)).toEqual([316, 570])
    expect(h.loaded.value).toBe(true)
    scope.stop()
  })

  it('keeps the rows it has when a request fails and says why', async () => {
    const trigger = ref(0)
    let fail = false
    const fetch = vi.fn(async () => {
      if (fail) throw new Error('503 Service Unavailable')
      return [play()]
    })
    const scope = effectScope()
    const h = scope.run(() => useScriptorHistory({ fetch, trigger: () => trigger.value }))!
    await flush()
    fail = true
    trigger.value++
    await flush()
    expect(h.records.value).toHaveLength(1)
    expect(h.error.value).toContain('503 Service Unavailable')
    fail = false
    await h.refresh()
    expect(h.error.value).toBe('')
    scope.stop()
  })
})

describe('useScriptorLive', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('lets a warning expire as time passes, without a new event', async () => {
    let t = 1000
    const scope = effectScope()
    const lines: LogLineLike[] = [{ ts: 995, level: 'warning', message: 'recovery: back (unknown screen)' }]
    const live = scope.run(() => useScriptorLive({ state: () => running({ screen: 'choose' }), lines: () => lines, clock: () => t, tickMs: 1000 }))!
    expect(live.warnings.value.map((w) => w.kind)).toEqual(['recovery'])
    t = 1030
    vi.advanceTimersByTime(1000)
    await nextTick()
    expect(live.warnings.value).toEqual([])
    scope.stop()
  })
})

describe('ScriptorPanel against the mock backend', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('shows the live fields from state events and a new history row when a play lands', async () => {
    const mock = useMockBackend({ history: [play({ ts: 1_700_000_000 })] })
    const w = mount(ScriptorPanel, { attachTo: document.body })
    await until(() => w.findAll('[data-role="play-row"]').length === 1)
    expect(w.find('[data-role="scriptor-idle"]').exists()).toBe(true)

    const b = useBackendStore()
    const state = (id: string, fields: Record<string, unknown>): void =>
      b.handleMessage({ id, module: 'scriptor', type: 'state', ts: 1, data: { status: 'running', task: 'start_scriptor', job_id: 'j1', error: null, fields } })
    state('1-0', { screen: 'ready', confidence: 0.987, cycle: 7, time_in_state_s: 0.8, last_action: 'tap (1120,600) on ready', in_play: true, song_id: 570, song: '第ゼロ感', difficulty: 'expert' })
    await nextTick()
    const panel = w.find('[data-role="scriptor-panel"]')
    expect(panel.attributes('data-screen')).toBe('ready')
    expect(panel.attributes('data-in-play')).toBe('1')
    expect(panel.find('[data-field="screen"]').text()).toContain('99 %')
    expect(panel.find('[data-field="song"]').text()).toMatch(/Playing\s*#570\s*第ゼロ感\s*Expert/)
    expect(panel.find('[data-field="cycle"] dd').text()).toBe('7')
    expect(panel.find('[data-field="last-action"] dd').text()).toBe('tap (1120,600) on ready')

    b.handleMessage({ id: '2-0', module: 'scriptor', type: 'log', ts: Date.now() / 1000, data: { level: 'warning', message: 'recovery: back (unknown screen)', task: 'start_scriptor', job_id: 'j1' } })
    state('3-0', { screen: 'unknown', confidence: 0.3 })
    await nextTick()
    expect(w.findAll('[data-role="scriptor-warning"]').map((x) => x.attributes('data-kind'))).toEqual(['screen', 'recovery'])

    // the loop appends the play, then publishes the new count
    mock.scriptorHistory.push(play({ song_id: 570, title: '第ゼロ感', ts: 1_700_000_300, counts: { perfect: 698, great: 4, good: 0, bad: 0, miss: 0 }, fast: 1, slow: 3 }))
    state('4-0', { screen: 'award', plays: 1, in_play: false })
    await until(() => w.findAll('[data-role="play-row"]').length === 2)
    const newest = w.find('[data-role="play-row"]')
    expect(newest.attributes('data-song-id')).toBe('570')
    expect(newest.attributes('data-result')).toBe('cleared')
    expect(newest.find('td[data-judgement="great"]').text()).toBe('4')
    expect(newest.find('td.fs').text()).toBe('1/3')
    expect(panel.find('[data-field="song"] dt').text()).toBe('Last song')
    w.unmount()
  })

  it('names every song of a tour medley in its row', async () => {
    const medley = [
      { song_id: 689, title: 'ピコ', difficulty: 'special', level: 41 },
      { song_id: 316, title: 'オレンジ', difficulty: 'expert', level: 25 },
    ]
    useMockBackend({ history: [play({ song_id: 689, title: 'ピコ', difficulty: 'special', mode: 'Event/Tour', medley })] })
    const w = mount(ScriptorPanel, { attachTo: document.body })
    await until(() => w.findAll('[data-role="play-row"]').length === 1)
    const cell = w.find('[data-role="play-row"] td.song')
    expect(cell.attributes('data-medley')).toBe('2')
    expect(cell.find('.title').text()).toBe('ピコ / オレンジ')
    expect(cell.find('.sub').text()).toMatch(/#689\s*Special 41\s*#316\s*Expert 25\s*Event\/Tour medley/)
    w.unmount()
  })

  it('shows the error bundle of a run that gave up, its files linked', async () => {
    const files = ['frame-00-unknown.png', 'log.txt', 'states.json']
    useMockBackend({
      history: [],
      errorBundles: [
        { name: '20261130-090000', path: 'scriptor/errors/20261130-090000', reason: 'older', device: '', files: ['states.json'], created: 1 },
        { name: '20261201-120000', path: 'scriptor/errors/20261201-120000', reason: 'gave up', device: 'emulator-5554', files, created: 2 },
      ],
    })
    const w = mount(ScriptorPanel, { attachTo: document.body })
    await until(() => w.find('[data-role="history-empty"]').exists())
    useBackendStore().handleMessage({
      id: '1-0',
      module: 'scriptor',
      type: 'state',
      ts: 1,
      data: { status: 'failed', task: 'start_scriptor', job_id: 'j1', error: 'gave up: unknown screen; still stuck after 2 restarts of the game (error bundle: scriptor/errors/20261201-120000)', fields: { screen: 'unknown', confidence: 0.2 } },
    })
    await nextTick()
    expect(w.find('[data-role="error-bundle"] code').text()).toBe('scriptor/errors/20261201-120000')
    expect(w.find('[data-role="scriptor-warning"][data-kind="stopped"]').text()).toContain('still stuck after 2 restarts')
    // the gateway lists this bundle: each file is linked (frames as thumbnails)
    await until(() => w.find('[data-role="error-bundle-files"]').exists())
    const links = w.findAll('[data-role="error-bundle-files"] a').map((a) => a.attributes('href'))
    expect(links).toEqual([
      '/api/scriptor/errors/20261201-120000/frame-00-unknown.png',
      '/api/scriptor/errors/20261201-120000/log.txt',
      '/api/scriptor/errors/20261201-120000/states.json',
    ])
    expect(w.findAll('[data-role="error-bundle-files"] img')).toHaveLength(1)
    w.unmount()
  })
})

describe('mock scriptor', () => {
  it('runs the loop shaped like the real one: ready names the song, the award lands a play', () => {
    const queue: (() => void)[] = []
    const fields: Record<string, unknown>[] = []
    const records: PlayRecord[] = []
    let finished = false
    let t = 0
    const host: ScriptorHost = {
      config: () => ({ mode: 'Event', event: 'Team', level: 'Special', is_repeat: false, correction_time: -30_000 }),
      fields: (f) => fields.push(f),
      log: () => undefined,
      later: (_ms, fn) => queue.push(fn),
      record: (r) => records.push(r),
      finish: () => (finished = true),
      clock: () => (t += 0.8),
    }
    runMockScriptor(host, 11)
    for (let i = 0; i < 200 && !finished; i++) queue.shift()?.()
    expect(finished).toBe(true)
    const merged = Object.assign({}, ...fields) as Record<string, unknown>
    expect(merged).toMatchObject({ plays: 1, in_play: false })
    expect(fields.map((f) => f.screen).filter(Boolean)).toEqual(expect.arrayContaining(['main_page', 'choose', 'ready', 'playing', 'award']))
    const ready = fields.find((f) => f.in_play === true && 'song_id' in f)
    expect(ready).toBeDefined()
    expect(records).toHaveLength(1)
    const r = records[0]!
    expect(r).toMatchObject({ mode: 'Event/Team', correction_time_us: -30_000, cleared: true, song_id: ready!.song_id })
    expect(['special', 'expert']).toContain(r.difficulty) // Special falls back to Expert
    const notes = Object.values(r.counts ?? {}).reduce((a, b) => a + b, 0)
    expect(notes).toBeGreaterThan(0)
    expect((r.fast ?? 0) + (r.slow ?? 0)).toBe(r.counts?.great)
  })

  it('draws the device screen from the scriptor state when it can draw, else has no device', async () => {
    const drawn: Record<string, unknown>[] = []
    const mock = useMockBackend({ makeScreen: async (fields) => (drawn.push(fields), new Blob(['jpeg'], { type: 'image/jpeg' })) })
    mock.states.get('scriptor')!.fields = { screen: 'playing', song: 'オレンジ' }
    const status = (await (await fetch('/api/device')).json()) as { connected: boolean; simulated: boolean }
    expect(status).toMatchObject({ connected: true, simulated: true })
    const shot = await fetch('/api/device/screen?width=640')
    expect(shot.headers.get('content-type')).toBe('image/jpeg')
    expect(drawn).toEqual([{ screen: 'playing', song: 'オレンジ' }])
    useMockBackend()
    expect(((await (await fetch('/api/device')).json()) as { connected: boolean }).connected).toBe(false)
    expect((await fetch('/api/device/screen')).status).toBe(503)
  })

  it('seeds a history and serves it at GET /api/scriptor/history with a limit', async () => {
    const seeded = seedHistory(1_800_000_000)
    expect(seeded.map((r) => r.ts!)).toEqual([...seeded.map((r) => r.ts!)].sort((a, b) => a - b))
    useMockBackend()
    const all = (await (await fetch('/api/scriptor/history')).json()) as PlayRecord[]
    expect(all.length).toBe(seeded.length)
    const last2 = (await (await fetch('/api/scriptor/history?limit=2')).json()) as PlayRecord[]
    expect(last2).toEqual(all.slice(-2))
    expect((await fetch('/api/scriptor/history?limit=0')).status).toBe(422)
  })
})
