import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { StreamEvent } from '@/api/events'
import { useBackendStore } from '@/stores/backend'
import { AUTOSAVE_DELAY_MS, useConfigStore } from '@/stores/config'
import { MAX_LINES, useConsoleStore } from '@/stores/console'
import { MAX_POINTS, useTelemetryStore } from '@/stores/telemetry'
import { until, useMockBackend } from './helpers'

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

const log = (id: string, message: string, module = 'fetch'): StreamEvent => ({
  id,
  module,
  type: 'log',
  ts: 1_700_000_000,
  data: { level: 'info', message, task: 'fetch', job_id: null },
})

describe('backend store: events', () => {
  it('applies each event once, in order, even when a replay overlaps', () => {
    const b = useBackendStore()
    const c = useConsoleStore()
    b.handleMessage(log('5-0', 'a'))
    b.handleMessage(log('6-0', 'b'))
    b.handleMessage(log('5-0', 'a again'))
    b.handleMessage(log('10-0', 'c'))
    expect(c.of('fetch').lines.map((l) => l.message)).toEqual(['a', 'b', 'c'])
    expect(b.cursors.fetch).toBe('10-0')
  })

  it('tracks state, explains exclusion inside a module, and logs transitions', () => {
    const b = useBackendStore()
    b.modules = [
      {
        name: 'song_recognition',
        title: 'Song Recognition',
        tasks: [
          { name: 'add_song', title: 'Add songs', uses_device: true, interactive: true, placeholder: false },
          { name: 'train_song_recognition', title: 'Train song recognition', uses_device: false, interactive: false, placeholder: false },
        ],
        state: { status: 'idle', fields: {}, last_id: '0-0' },
        config_version: 0,
        config_schema: {},
      },
    ]
    b.handleMessage({ id: '1-0', module: 'song_recognition', type: 'state', ts: 1, data: { status: 'running', task: 'add_song', job_id: 'j1', error: null } })
    expect(b.taskStatus('song_recognition', 'add_song')).toBe('running')
    expect(b.taskStatus('song_recognition', 'train_song_recognition')).toBe('idle')
    expect(b.blockedReason('song_recognition', 'train_song_recognition')).toContain('Add songs is running')
    expect(b.blockedReason('song_recognition', 'add_song')).toBe('')
    expect(b.blockedReason('fetch', 'fetch')).toBe('')
    b.handleMessage({ id: '2-0', module: 'song_recognition', type: 'state', ts: 2, data: { status: 'failed', task: 'add_song', job_id: 'j1', error: 'boom' } })
    expect(b.stateOf('song_recognition')).toMatchObject({ status: 'failed', error: 'boom' })
    expect(b.blockedReason('song_recognition', 'train_song_recognition')).toBe('')
    const lines = useConsoleStore().of('song_recognition').lines
    expect(lines.map((l) => l.message)).toEqual(['add_song running', 'add_song failed: boom'])
  })

  it("disables a device task while another module's device task runs, naming it in words", () => {
    const b = useBackendStore()
    const info = (name: string, title: string, tasks: [string, string, boolean][]) => ({
      name,
      title,
      tasks: tasks.map(([n, t, dev]) => ({ name: n, title: t, uses_device: dev, interactive: false, placeholder: false })),
      state: { status: 'idle' as const, fields: {}, last_id: '0-0' },
      config_version: 0,
      config_schema: {},
    })
    b.modules = [
      info('scriptor', 'Scriptor', [['start_scriptor', 'Scriptor', true]]),
      info('workflow', 'Workflow', [['workflow', 'Workflow', true]]),
      info('song_recognition', 'Song Recognition', [
        ['add_song', 'Add songs', true],
        ['train_song_recognition', 'Train song recognition', false],
      ]),
    ]
    const state = (id: string, module: string, status: string, task: string) =>
      b.handleMessage({ id, module, type: 'state', ts: 1, data: { status, task, job_id: `${module}-job`, error: null } as never })
    state('1-0', 'workflow', 'running', 'workflow')
    expect(b.blockedReason('scriptor', 'start_scriptor')).toBe('the device is in use by Workflow; device tasks run one at a time. Stop it first.')
    expect(b.blockedReason('song_recognition', 'add_song')).toContain('the device is in use by Workflow')
    expect(b.blockedReason('song_recognition', 'train_song_recognition')).toBe('') // needs no device
    expect(b.blockedReason('workflow', 'workflow')).toBe('') // its own running task: Stop, not Start
    state('2-0', 'workflow', 'stopped', 'workflow')
    state('3-0', 'song_recognition', 'queued', 'add_song')
    expect(b.blockedReason('scriptor', 'start_scriptor')).toBe('the device is in use by Add songs in Song Recognition; device tasks run one at a time. Stop it first.')
    state('4-0', 'song_recognition', 'running', 'train_song_recognition')
    expect(b.blockedReason('scriptor', 'start_scriptor')).toBe('') // the module is busy, the device is not
    // another device's units: a device task there holds that device only
    state('5-0', 'workflow@mumu2', 'running', 'workflow')
    expect(b.blockedReason('scriptor@mumu2', 'start_scriptor')).toBe('the device is in use by Workflow; device tasks run one at a time. Stop it first.')
    expect(b.blockedReason('song_recognition@mumu2', 'train_song_recognition')).toBe('')
    expect(b.blockedReason('scriptor', 'start_scriptor')).toBe('')
    expect(b.blockedReason('workflow@mumu2', 'workflow')).toBe('')
  })

  it("starts a new job's status fields afresh, keeping the fields of the same job", () => {
    const b = useBackendStore()
    const ev = (id: string, job: string, status: string, fields: Record<string, unknown>) =>
      b.handleMessage({ id, module: 'fetch', type: 'state', ts: 1, data: { status, task: 'fetch', job_id: job, error: null, fields } as never })
    ev('1-0', 'j1', 'running', { fetched: 0, failed: 5 })
    ev('2-0', 'j1', 'finished', {})
    expect(b.stateOf('fetch').fields).toEqual({ fetched: 0, failed: 5 })
    ev('3-0', 'j2', 'queued', {})
    expect(b.stateOf('fetch').fields).toEqual({})
    ev('4-0', 'j2', 'running', { fetched: 2 })
    expect(b.stateOf('fetch').fields).toEqual({ fetched: 2 })
  })

  it("keeps a log line's details (a traceback) with the line, and in the copied text", () => {
    const b = useBackendStore()
    const c = useConsoleStore()
    b.handleMessage({ id: '1-0', module: 'fetch', type: 'log', ts: 1, data: { level: 'error', message: 'fetch failed: boom', task: 'fetch', job_id: 'j', details: 'Traceback (most recent call last):\n  x' } })
    b.handleMessage(log('2-0', 'plain'))
    expect(c.of('fetch').lines.map((l) => [l.message, l.details])).toEqual([
      ['fetch failed: boom', 'Traceback (most recent call last):\n  x'],
      ['plain', null],
    ])
    expect(c.asText('fetch')).toContain('fetch failed: boom\nTraceback (most recent call last):')
  })

  it('takes state from a snapshot and shows its open prompt once, moved to its event', () => {
    const b = useBackendStore()
    const prompt = { prompt_id: 'p1', task: 'add_img', job_id: 'j', prompt: 'Is x ready?', options: ['Yes', 'No'], closed: false }
    b.handleMessage({ type: 'snapshot', modules: { ui_recognition: { status: 'running', task: 'add_img', prompt, last_id: '9-0' } } })
    const c = useConsoleStore()
    expect(c.openPrompts('ui_recognition')).toHaveLength(1)
    b.handleMessage(log('3-0', 'before', 'ui_recognition'))
    b.handleMessage({ id: '4-0', module: 'ui_recognition', type: 'prompt', ts: 4, data: prompt })
    const lines = c.of('ui_recognition').lines
    expect(lines.map((l) => l.promptId ?? l.message)).toEqual(['before', 'p1'])
    b.handleMessage({ id: '5-0', module: 'ui_recognition', type: 'prompt', ts: 5, data: { ...prompt, closed: true, answer: 'Yes' } })
    expect(c.openPrompts('ui_recognition')).toHaveLength(0)
    expect(c.prompts.p1?.answer).toBe('Yes')
  })
})

describe('console store', () => {
  it('filters by level, caps lines, and keeps cleared lines away after a replay', () => {
    const c = useConsoleStore()
    c.addLog('m', '1-0', 1, 'info', 'hello')
    c.addLog('m', '2-0', 2, 'error', 'bad')
    c.of('m').levels.info = false
    expect(c.visibleLines('m').map((l) => l.message)).toEqual(['bad'])
    expect(c.asText('m')).toContain('ERROR')
    c.clear('m')
    expect(c.of('m').lines).toHaveLength(0)
    // a reload replays the stream from the start: cleared ids stay hidden
    setActivePinia(createPinia())
    const again = useConsoleStore()
    again.addLog('m', '1-0', 1, 'info', 'hello')
    again.addLog('m', '2-0', 2, 'error', 'bad')
    again.addLog('m', '3-0', 3, 'info', 'new')
    expect(again.of('m').lines.map((l) => l.message)).toEqual(['new'])
    for (let i = 0; i < MAX_LINES + 10; i++) again.addLog('m', `${10 + i}-0`, 4, 'debug', `l${i}`)
    expect(again.of('m').lines).toHaveLength(MAX_LINES)
    expect(again.of('m').lines.at(-1)?.message).toBe(`l${MAX_LINES + 9}`)
  })
})

describe('telemetry store', () => {
  it('keeps metric points per job and thins long runs', () => {
    const t = useTelemetryStore()
    for (let i = 0; i < MAX_POINTS + 1; i++) t.addProgress('song_recognition', i, { task: 'train', job_id: 'a', done: i, total: 5000, message: '', metrics: { loss: 1 / (i + 1), lr: 0.01, note: 'x' } })
    const p = t.progress.song_recognition
    expect(p?.points.length).toBeLessThanOrEqual(MAX_POINTS)
    expect(p?.points.at(-1)?.done).toBe(MAX_POINTS)
    expect(p?.points[0]?.metrics).toEqual({ loss: 1, lr: 0.01 })
    t.addProgress('song_recognition', 1, { task: 'train', job_id: 'b', done: 1, total: 2, message: '', metrics: {} })
    expect(t.progress.song_recognition?.points).toHaveLength(0)
  })
})

describe('config store against the dev mock backend', () => {
  afterEach(() => vi.useRealTimers())

  it('debounces edits into one save and keeps them', async () => {
    const backend = useMockBackend()
    const b = useBackendStore()
    await b.load()
    const cfg = useConfigStore()
    const calls: string[] = []
    const realFetch = globalThis.fetch
    globalThis.fetch = (input, init) => {
      if (init?.method === 'POST') calls.push(String(input))
      return realFetch(input, init)
    }
    cfg.set('scriptor', 'MAX_SAME_STATE', 200)
    cfg.set('scriptor', 'is_no_action', true)
    cfg.set('scriptor', 'event', 'Tour')
    expect(cfg.get('scriptor')?.status).toBe('pending')
    await until(() => cfg.get('scriptor')?.status === 'saved', AUTOSAVE_DELAY_MS + 2000)
    expect(calls).toEqual(['/api/scriptor/update_config'])
    expect(backend.getConfig('scriptor').config).toMatchObject({ MAX_SAME_STATE: 200, is_no_action: true, event: 'Tour' })
  })

  it('shows the server message at the rejected field and still saves the valid ones', async () => {
    const backend = useMockBackend()
    const b = useBackendStore()
    await b.load()
    const cfg = useConfigStore()
    cfg.set('scriptor', 'MAX_SAME_STATE', 5)
    cfg.set('scriptor', 'MAX_RE_READY', 20)
    await until(() => cfg.get('scriptor')?.status === 'error' && backend.getConfig('scriptor').config.MAX_RE_READY === 20, 3000)
    expect(cfg.get('scriptor')?.errors.MAX_SAME_STATE).toBe('Input should be greater than or equal to 10')
    expect(cfg.get('scriptor')?.values.MAX_SAME_STATE).toBe(5) // the user's text stays to be fixed
    expect(backend.getConfig('scriptor').config.MAX_SAME_STATE).toBe(100)
    cfg.set('scriptor', 'MAX_SAME_STATE', 50)
    await until(() => cfg.get('scriptor')?.status === 'saved', 3000)
    expect(cfg.get('scriptor')?.errors.MAX_SAME_STATE).toBeUndefined()
  })

  it('reports model-level errors for the whole form', async () => {
    useMockBackend()
    await useBackendStore().load()
    const cfg = useConfigStore()
    cfg.set('scriptor', 'weight_title', 'nobody')
    await until(() => cfg.get('scriptor')?.status === 'error', 3000)
    expect(cfg.get('scriptor')?.formError).toContain("weight_title 'nobody'")
  })

  it('loads allowed lists from x-options-from paths', async () => {
    useMockBackend()
    const cfg = useConfigStore()
    const states = await cfg.loadOptions('/api/scriptor/available-states')
    expect(states).toHaveLength(34)
    expect(states).toContain('join_wait')
  })

  it('shares one options request between fields that ask at once', async () => {
    useMockBackend()
    const served = globalThis.fetch
    const asked: string[] = []
    globalThis.fetch = (input, init) => {
      asked.push(String(input))
      return served(input, init)
    }
    const cfg = useConfigStore()
    const [a, b] = await Promise.all([cfg.loadOptions('/api/scriptor/available-states'), cfg.loadOptions('/api/scriptor/available-states')])
    expect(a).toEqual(b)
    expect(asked).toEqual(['/api/scriptor/available-states'])
  })
})

describe('tasks against the dev mock backend', () => {
  it('refuses a second task in a busy module with the server message, runs other modules', async () => {
    const backend = useMockBackend()
    const b = useBackendStore()
    await b.load()
    const off = backend.subscribe((e) => b.handleMessage(e as unknown as StreamEvent))
    await b.start('ui_recognition', 'add_img')
    await b.start('fetch', 'fetch')
    await until(() => b.stateOf('ui_recognition').status === 'running' && b.stateOf('fetch').status === 'running')
    await b.start('ui_recognition', 'train_ui_recognition')
    expect(b.feedbackOf('ui_recognition', 'train_ui_recognition').error).toMatch(/busy: add_img is running/)
    await until(() => useConsoleStore().openPrompts('ui_recognition').length === 1)
    await b.stop('ui_recognition', 'add_img')
    await until(() => b.stateOf('ui_recognition').status === 'stopped')
    expect(useConsoleStore().openPrompts('ui_recognition')).toHaveLength(0)
    off()
  })
})
