/**
 * The dev mock of the gateway (VITE_MOCK=1): the same REST answers and /ws messages as
 * services/gateway/app.py, with simulated tasks (logs, state, progress with loss/lr,
 * prompts, frames), module exclusion (409), the device lease and 422 validation. The
 * module registry and config schemas come from the real backend (fixtures/registry.json,
 * written by `npm run gen:api`), so new modules appear here without code changes. The
 * scriptor's run and its play history are shaped like the real loop's (./scriptor.ts).
 */
import type { ValidationIssue } from '@/api/client'
import type { ImageData, LatestImage, PromptData, StateData } from '@/api/events'
import type { DeviceOffset, DevicesDoc, DeviceStatus, ErrorBundle, FrameFolder, FrameListing, LastFit, ModuleInfo, ModuleStateDoc, PlayRecord, SavedCoefficients, SavedFrame, ScriptorLive, SnapshotModuleDoc, StateCoverage, WorkflowLive } from '@/api/types'
import { rgbToHsv } from '@/lib/hsv'
import { liveFields } from '@/lib/live'
import type { JsonSchema } from '@/lib/schema'
import { isActive, type TaskStatus } from '@/lib/status'
import { isWorkflowMode, type WorkflowMode } from '@/lib/workflow'
import registry from './fixtures/registry.json'
import { runMockScriptor, seedHistory } from './scriptor'
import { validateConfig } from './validate'
import { frameName, mockFit, mockNotes, overlayMeta, type MockNote } from './workflow'

export interface MockEvent {
  id: string
  module: string
  type: 'log' | 'state' | 'progress' | 'prompt' | 'image' | 'config'
  ts: number
  data: Record<string, unknown>
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`)
  }
}

interface RegistryModule {
  name: string
  title: string
  tasks: { name: string; title: string; uses_device: boolean; interactive: boolean; placeholder: boolean }[]
  config_schema: JsonSchema
  config: Record<string, unknown>
}

interface Job {
  id: string
  module: string
  task: string
  stop: boolean
  timers: ReturnType<typeof setTimeout>[]
  onReply?: (answer: string, text: string | null) => void
}

export interface Frame {
  width: number
  height: number
  rgba: Uint8ClampedArray
  png?: Blob
}

/** What a chart shows (the mock draws what the real tasks draw with matplotlib). */
export type ChartSpec =
  | { kind: 'loss_curve'; losses: number[] }
  | { kind: 'similarity_histogram'; stats: SimilarityStats }
  | { kind: 'fit'; residualsMs: number[]; rmsMs: number }

export interface SimilarityStats {
  pairs: number
  min: number
  max: number
  mean: number
  worst_known: number
  best_different: number
  gap: number
  edges: number[]
  counts: number[]
}

/** Like show_features_statistic's numbers for a made-up embedding: m cosine similarities
 * of different songs (seeded, so runs repeat), a 50-bin histogram on [-1, 1] and the gap
 * to a worst known-song match. */
export function mockSimilarityStats(m = 2048, seed = 1): SimilarityStats {
  let x = seed >>> 0 || 1
  const rnd = (): number => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    return (x + 0.5) / 4294967296
  }
  const sims: number[] = []
  for (let i = 0; i < m; i++) {
    // Box-Muller: mostly unrelated songs near 0, a few look-alikes near the top
    const z = Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd())
    sims.push(Math.max(-1, Math.min(1, 0.05 + 0.22 * z)))
  }
  const edges = Array.from({ length: 51 }, (_, i) => Number((-1 + i * 0.04).toFixed(4)))
  const counts = new Array<number>(50).fill(0)
  for (const v of sims) counts[Math.min(49, Math.floor((v + 1) / 0.04))]! += 1
  const min = Math.min(...sims)
  const max = Math.max(...sims)
  const worstKnown = 0.93 + rnd() * 0.03
  const r4 = (v: number): number => Number(v.toFixed(4))
  return {
    pairs: m,
    min: r4(min),
    max: r4(max),
    mean: r4(sims.reduce((a, b) => a + b, 0) / m),
    worst_known: r4(worstKnown),
    best_different: r4(max),
    gap: r4(worstKnown - max),
    edges,
    counts,
  }
}

export interface MockOptions {
  /** time scale for simulated work (tests use small values) */
  tick?: number
  /** frame maker (browser: canvas; tests: none) */
  makeFrame?: (n: number) => Promise<Frame | null>
  /** chart maker for loss curves and similarity histograms (browser: canvas; tests: none) */
  makeChart?: (spec: ChartSpec) => Promise<Frame | null>
  /** the workflow's overlay: a playfield with the notes boxed (browser: canvas; tests: none) */
  makeOverlay?: (notes: MockNote[]) => Promise<Frame | null>
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null
  /** the scriptor's play history to start with (default: a few seeded plays) */
  history?: PlayRecord[]
  /** the scriptor's error bundles (GET /api/scriptor/errors; default: none) */
  errorBundles?: ErrorBundle[]
  /** the screen gallery's coverage (GET /api/screens/coverage; default: nothing taught) */
  screenCoverage?: StateCoverage[]
  /** the device's screen as JPEG, drawn from the scriptor's state fields (browser: canvas;
   * without it the mock has no device, as a machine without an emulator) */
  makeScreen?: (fields: ScriptorLive, n: number) => Promise<Blob | null>
}

const MAXLEN = 2000
interface Registry {
  modules: RegistryModule[]
  available_states: string[]
  weight_titles: string[]
}
const REGISTRY = registry as unknown as Registry
const MODULES = REGISTRY.modules
const STATES = REGISTRY.available_states
const WEIGHT_TITLES = REGISTRY.weight_titles
/** shared/saved_frames.py FOLDERS */
const FRAME_FOLDERS: Record<FrameFolder, string> = {
  ui_inbox: 'ui_recognition/inbox',
  song_screenshots: 'song_recognition/screenshots',
  records: 'workflow/records',
}
const WALK_NAV = ['Yes', 'No', 'Drop', 'Stop']
const WALK_HELP = 'Yes: next, Drop: previous, No: a frame number to jump to or a UI state to label it, Stop: end'

export class MockBackend {
  readonly streams = new Map<string, MockEvent[]>()
  readonly configs = new Map<string, { version: number; config: Record<string, unknown> }>()
  readonly states = new Map<string, StateData & { prompt: PromptData | null; progress: ModuleStateDoc['progress'] }>()
  readonly frames = new Map<string, Frame>()
  /** "module/kind" -> the latest chart of that kind */
  readonly charts = new Map<string, Frame>()
  /** module -> kind -> the latest image event's data with its id and ts (the gateway's
   * autobang:images:<module> hash): the snapshot names it after the stream trimmed it */
  readonly latestImages = new Map<string, Map<string, LatestImage>>()
  /** the scriptor's plays, oldest first (<data dir>/scriptor/history.jsonl) */
  readonly scriptorHistory: PlayRecord[]
  /** the bundles a run that gave up left (<data dir>/scriptor/errors/) */
  readonly errorBundles: ErrorBundle[]
  /** each device's touch offset (<data dir>/scriptor/offsets.json) */
  deviceOffsets: DeviceOffset[] = []
  /** per screen state: the gallery's frames and the recent placements */
  readonly screenCoverage: StateCoverage[]
  /** the workflow's saved frames per folder (names only) */
  readonly savedFrames = new Map<FrameFolder, string[]>([
    ['ui_inbox', ['20261201-101500-120_main_page.png', '20261201-101502-480_song_select.png', '20261201-101507-015_playing.png']],
    ['song_screenshots', []],
    ['records', []],
  ])
  /** the workflow's last trace fit and the newest coefficient version (v1, v2 shipped) */
  lastFit: LastFit | null = null
  private coefficientVersion = 2
  private readonly jobs = new Map<string, Job>()
  private readonly listeners = new Set<(e: MockEvent) => void>()
  private device: string | null = null
  private seq = 0
  private lastMs = 0
  private readonly tick: number
  private readonly makeFrame: MockOptions['makeFrame']
  private readonly makeChart: MockOptions['makeChart']
  private readonly makeOverlay: MockOptions['makeOverlay']
  private readonly storage: MockOptions['storage']
  private readonly makeScreen: MockOptions['makeScreen']
  private screens = 0

  constructor(opts: MockOptions = {}) {
    this.tick = opts.tick ?? 1
    this.makeFrame = opts.makeFrame
    this.makeChart = opts.makeChart
    this.makeOverlay = opts.makeOverlay
    this.storage = opts.storage ?? null
    this.scriptorHistory = opts.history ?? seedHistory(Date.now() / 1000)
    this.errorBundles = opts.errorBundles ?? []
    this.screenCoverage =
      opts.screenCoverage ??
      STATES.map((state) => ({ state, frames: 0, placed: 0, mean_confidence: null, min_confidence: null, unplaced_near: 0 }))
    this.makeScreen = opts.makeScreen
    for (const m of MODULES) {
      this.streams.set(m.name, [])
      this.configs.set(m.name, { version: 0, config: structuredClone(m.config) })
      this.states.set(m.name, { status: 'idle', task: null, job_id: null, error: null, fields: {}, prompt: null, progress: null })
    }
    this.restore()
  }

  // ---- persistence (dev convenience: configs and events survive a reload) ----
  private restore(): void {
    try {
      const raw = this.storage?.getItem('autobang.mock')
      if (!raw) return
      const saved = JSON.parse(raw) as { configs: Record<string, { version: number; config: Record<string, unknown> }>; streams: Record<string, MockEvent[]> }
      for (const [m, c] of Object.entries(saved.configs ?? {})) if (this.configs.has(m)) this.configs.set(m, c)
      for (const [m, s] of Object.entries(saved.streams ?? {})) if (this.streams.has(m)) this.streams.set(m, s.filter((e) => e.type !== 'image'))
      for (const s of this.streams.values()) {
        const last = s[s.length - 1]
        if (last) this.lastMs = Math.max(this.lastMs, Number(last.id.split('-')[0]))
      }
    } catch {
      // a broken saved state just starts fresh
    }
  }

  private persist(): void {
    if (!this.storage) return
    try {
      this.storage.setItem(
        'autobang.mock',
        JSON.stringify({ configs: Object.fromEntries(this.configs), streams: Object.fromEntries([...this.streams].map(([m, s]) => [m, s.slice(-300)])) }),
      )
    } catch {
      // storage full: keep running in memory
    }
  }

  // ---- events ----
  subscribe(fn: (e: MockEvent) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private nextId(): string {
    const now = Date.now()
    if (now > this.lastMs) {
      this.lastMs = now
      this.seq = 0
    } else this.seq++
    return `${this.lastMs}-${this.seq}`
  }

  emit(module: string, type: MockEvent['type'], data: Record<string, unknown>): MockEvent {
    const ev: MockEvent = { id: this.nextId(), module, type, ts: Date.now() / 1000, data }
    const stream = this.streams.get(module)
    if (!stream) throw new Error(`unknown module ${module}`)
    stream.push(ev)
    if (type === 'image') {
      const kinds = this.latestImages.get(module) ?? new Map<string, LatestImage>()
      this.latestImages.set(module, kinds)
      const image = data as unknown as ImageData
      kinds.set(image.kind, { ...image, id: ev.id, ts: ev.ts })
    }
    if (stream.length > MAXLEN) stream.splice(0, stream.length - MAXLEN)
    for (const fn of this.listeners) fn(ev)
    this.persist()
    return ev
  }

  lastId(module: string): string {
    const s = this.streams.get(module) ?? []
    return s[s.length - 1]?.id ?? '0-0'
  }

  /** Events after `since` (exclusive) and whether older ones were trimmed. */
  replay(module: string, since: string): { events: MockEvent[]; trimmed: string | null } {
    const s = this.streams.get(module) ?? []
    const cmp = (a: string, b: string): number => {
      const [am = 0, as = 0] = a.split('-').map(Number)
      const [bm = 0, bs = 0] = b.split('-').map(Number)
      return am - bm || as - bs
    }
    const first = s[0]
    const trimmed = first && since !== '0-0' && cmp(first.id, since) > 0 && s.length >= MAXLEN ? first.id : null
    return { events: s.filter((e) => cmp(e.id, since) > 0), trimmed }
  }

  // ---- REST ----
  private module(name: string): RegistryModule {
    const m = MODULES.find((x) => x.name === name)
    if (!m) throw new HttpError(404, `unknown module '${name}'; known: ${MODULES.map((x) => x.name).join(', ')}`)
    return m
  }

  moduleState(name: string): ModuleStateDoc {
    const s = this.states.get(name)
    if (!s) throw new HttpError(404, `unknown module '${name}'`)
    return { ...s, fields: s.fields ?? {}, last_id: this.lastId(name) } as ModuleStateDoc
  }

  /** GET /api/{module}/images: the latest image of each kind, sorted by kind. */
  images(name: string): LatestImage[] {
    this.module(name)
    const kinds = this.latestImages.get(name) ?? new Map<string, LatestImage>()
    return [...kinds.keys()].sort().map((k) => kinds.get(k) as LatestImage)
  }

  /** The /ws snapshot: every module's state plus its latest images. */
  snapshot(): Record<string, SnapshotModuleDoc> {
    return Object.fromEntries(MODULES.map((m) => [m.name, { ...this.moduleState(m.name), images: Object.fromEntries(this.images(m.name).map((i) => [i.kind, i])) }]))
  }

  health(): { ok: boolean; redis: boolean; workers: Record<string, boolean> } {
    return { ok: true, redis: true, workers: Object.fromEntries(MODULES.map((m) => [m.name, true])) }
  }

  modules(): ModuleInfo[] {
    return MODULES.map((m) => ({
      name: m.name,
      title: m.title,
      tasks: m.tasks,
      state: this.moduleState(m.name),
      config_version: this.configs.get(m.name)?.version ?? 0,
      config_schema: m.config_schema as Record<string, unknown>,
    }))
  }

  getConfig(name: string): { module: string; version: number; config: Record<string, unknown> } {
    this.module(name)
    const c = this.configs.get(name) as { version: number; config: Record<string, unknown> }
    return { module: name, version: c.version, config: structuredClone(c.config) }
  }

  options(path: string): string[] | undefined {
    if (path === '/api/scriptor/available-states') return STATES
    if (path === '/api/scriptor/weight-titles') return WEIGHT_TITLES
    return undefined
  }

  private validate(name: string, config: Record<string, unknown>): void {
    const m = this.module(name)
    const issues: ValidationIssue[] = validateConfig(config, m.config_schema, (p) => this.options(p))
    const weights = config.weights
    if (Array.isArray(weights) && typeof config.weight_title === 'string') {
      const titles = weights.map((w: unknown) => (Array.isArray(w) ? String(w[0]) : ''))
      if (!titles.includes(config.weight_title)) issues.push({ loc: ['body'], msg: `Value error, weight_title '${config.weight_title}' is not one of the weight titles`, type: 'value_error' })
    }
    if (issues.length) throw new HttpError(422, issues)
  }

  updateConfig(name: string, patch: Record<string, unknown>, whole = false): { module: string; version: number; config: Record<string, unknown> } {
    this.module(name)
    const c = this.configs.get(name) as { version: number; config: Record<string, unknown> }
    const merged = whole ? { ...patch } : { ...c.config, ...patch }
    this.validate(name, merged)
    c.config = merged
    c.version++
    this.persist()
    const job = [...this.jobs.values()].find((j) => j.module === name)
    if (job) {
      const live = new Set(Object.entries(this.module(name).config_schema.properties ?? {}).filter(([, f]) => f['x-live'] !== false).map(([k]) => k))
      const changed = Object.keys(patch)
      const applied = changed.filter((k) => live.has(k))
      const deferred = changed.filter((k) => !live.has(k))
      setTimeout(() => this.emit(name, 'config', { version: c.version, task: job.task, job_id: job.id, applied, deferred }), 50 * this.tick)
    }
    return this.getConfig(name)
  }

  /** GET /api/scriptor/history: the last `limit` plays, oldest first. */
  history(limit = 500): PlayRecord[] {
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new HttpError(422, [{ loc: ['query', 'limit'], msg: 'Input should be between 1 and 10000', type: 'greater_than_equal' }])
    }
    return this.scriptorHistory.slice(-limit)
  }

  /** GET /api/scriptor/offsets */
  offsets(): DeviceOffset[] {
    return this.deviceOffsets
  }

  /** PUT /api/scriptor/offsets/{device}: set and/or pin, as the gateway does. */
  pinOffset(device: string, body: { pinned: boolean; offset_ms?: number | null }): DeviceOffset {
    const old = this.deviceOffsets.find((d) => d.device === device)
    if (!old && (body.offset_ms === null || body.offset_ms === undefined)) {
      throw new HttpError(404, `no offset kept for device '${device}': give offset_ms to set one`)
    }
    const us = body.offset_ms === null || body.offset_ms === undefined ? old!.offset_us : Math.round(body.offset_ms * 1000)
    const row: DeviceOffset = { ...(old ?? { device, source: 'set by the user', plays: 0, probes: 0, moves: [] }), offset_us: us, pinned: body.pinned }
    this.deviceOffsets = [...this.deviceOffsets.filter((d) => d.device !== device), row]
    return row
  }

  /** GET /api/scriptor/errors: newest first, as the gateway lists them. */
  bundles(): ErrorBundle[] {
    return [...this.errorBundles].sort((a, b) => b.name.localeCompare(a.name))
  }

  /** GET /api/devices: the mock's one device (the switcher shows with several only). */
  devices(): DevicesDoc {
    const first = { name: 'default', target: 'mock', kind: 'simulator' as const }
    const state = this.moduleState('scriptor')
    return {
      devices: [{ ...first, unit: 'scriptor', worker: true, workers: {}, status: state.status, error: state.error ?? null, serial: 'mock-5554' }],
      saved: { devices: [first] },
      restart_needed: false,
    }
  }

  /** GET /api/device: a drawn stand-in for the game when the mock can draw, else none. */
  deviceStatus(): DeviceStatus {
    const none = { serial: '', emulator: '', simulated: false, capture: '', touch: '', display: '', detail: '' }
    if (!this.makeScreen) {
      return { spec: 'mock', connected: false, ...none, error: 'the mock backend has no device', hint: 'run the real product (scripts/up) to see the emulator or the simulated game' }
    }
    return { spec: 'mock', connected: true, serial: 'mock-5554', emulator: 'the mock game', simulated: true, capture: 'drawn', touch: 'none', display: '1280x720', detail: 'drawn by the dev mock from the scriptor state', error: '', hint: '' }
  }

  /** GET /api/device/screen: what the mock scriptor is on, drawn. */
  async deviceScreen(): Promise<Blob> {
    const shot = await this.makeScreen?.(liveFields('scriptor', { fields: this.states.get('scriptor')?.fields ?? {} }), ++this.screens)
    if (!shot) throw new HttpError(503, 'the mock backend has no device')
    return shot
  }

  checkSong(id: number): { song_id: number; ok: boolean; message: string } {
    if (!Number.isInteger(id) || id < 1) return { song_id: id, ok: false, message: `song ${id} is not a valid id` }
    if (id > 740 && !(id >= 1000 && id <= 1006)) return { song_id: id, ok: false, message: `song ${id} is not in the catalog (mock)` }
    if (id % 10 === 5) return { song_id: id, ok: false, message: `song ${id} has no chart in the library (mock); fetch it first` }
    return { song_id: id, ok: true, message: `song ${id} is ready (mock)` }
  }

  /** The device holder (module:task:job) in words, as shared/runtime/control.py says it. */
  private deviceUser(holder: string): string {
    const [module = '', task = ''] = holder.split(':')
    const m = this.module(module)
    const t = m.tasks.find((x) => x.name === task)
    return !t || m.tasks.length === 1 || t.title === m.title ? m.title : `${t.title} in ${m.title}`
  }

  start(name: string, task: string): { module: string; task: string; job_id: string; status: 'queued' } {
    const m = this.module(name)
    const spec = m.tasks.find((t) => t.name === task)
    if (!spec) throw new HttpError(404, `module '${name}' has no task '${task}'`)
    const s = this.states.get(name) as StateData
    if (isActive(s.status)) throw new HttpError(409, `${name} is busy: ${s.task} is ${s.status} (job ${s.job_id}); stop it first`)
    const id = Math.random().toString(16).slice(2, 14)
    const job: Job = { id, module: name, task, stop: false, timers: [] }
    this.jobs.set(name, job)
    s.fields = {} // a new job starts with its own fields, as the runtime's state does
    this.setState(name, 'queued', task, id)
    this.later(job, 150, () => {
      if (spec.uses_device) {
        if (this.device) return this.finish(job, 'failed', `the device is in use by ${this.deviceUser(this.device)}; device tasks run one at a time: stop it first`)
        this.device = `${name}:${task}:${id}`
      }
      this.setState(name, 'running', task, id)
      this.simulate(job)
    })
    return { module: name, task, job_id: id, status: 'queued' }
  }

  stop(name: string, task?: string): { module: string; job_id: string | null; status: string; stopping: boolean } {
    this.module(name)
    const job = this.jobs.get(name)
    const s = this.states.get(name) as StateData
    if (!job || (task && job.task !== task) || !isActive(s.status)) return { module: name, job_id: null, status: s.status, stopping: false }
    job.stop = true
    this.setState(name, 'stopping', job.task, job.id)
    this.later(job, 300, () => this.finish(job, 'stopped'), true)
    return { module: name, job_id: job.id, status: 'stopping', stopping: true }
  }

  reply(name: string, answer: string, text: string | null, promptId: string | null): { module: string; prompt_id: string; answer: string } {
    this.module(name)
    const s = this.states.get(name)
    const prompt = s?.prompt
    if (!prompt || prompt.closed) throw new HttpError(409, `${name} has no open prompt`)
    if (promptId && promptId !== prompt.prompt_id) throw new HttpError(409, `prompt ${promptId} is no longer open`)
    if (!prompt.options.includes(answer)) throw new HttpError(422, [{ loc: ['body', 'answer'], msg: `answer must be one of ${prompt.options.join(', ')}`, type: 'value_error' }])
    const closed = { ...prompt, closed: true, answer: text ? `${answer} ${text}` : answer }
    ;(s as { prompt: PromptData | null }).prompt = null
    this.emit(name, 'prompt', closed as unknown as Record<string, unknown>)
    this.jobs.get(name)?.onReply?.(answer, text)
    return { module: name, prompt_id: prompt.prompt_id, answer }
  }

  color(x: number, y: number): { x: number; y: number; bgr: [number, number, number]; hsv: [number, number, number]; frame_url: string } {
    const f = this.frames.get('workflow')
    if (!f) throw new HttpError(404, 'workflow has published no frame yet: start the workflow task')
    if (x >= f.width || y >= f.height) throw new HttpError(422, [{ loc: ['query', x >= f.width ? 'x' : 'y'], msg: `must be inside the ${f.width}x${f.height} frame`, type: 'less_than' }])
    const i = (y * f.width + x) * 4
    const r = f.rgba[i] ?? 0
    const g = f.rgba[i + 1] ?? 0
    const b = f.rgba[i + 2] ?? 0
    const { h, s, v } = rgbToHsv(r, g, b)
    return { x, y, bgr: [b, g, r], hsv: [h, s, v], frame_url: '/api/workflow/images/frame' }
  }

  // ---- the workflow's routes (services/gateway/routes/workflow.py) ----
  private frameFolder(folder?: string | null): FrameFolder {
    const which = folder ?? String(this.config('workflow').frame_folder ?? 'ui_inbox')
    if (!(which in FRAME_FOLDERS)) throw new HttpError(422, [{ loc: ['query', 'folder'], msg: `Input should be ${Object.keys(FRAME_FOLDERS).join(', ')}`, type: 'enum' }])
    return which as FrameFolder
  }

  saveFrame(state: string, folder?: string | null): SavedFrame {
    const f = this.frames.get('workflow')
    if (!f) throw new HttpError(404, 'workflow has published no frame yet: start the workflow task')
    const which = this.frameFolder(folder)
    const name = frameName(new Date(), state)
    const list = this.savedFrames.get(which) ?? []
    this.savedFrames.set(which, [...list, name].sort())
    return { folder: which, path: `${FRAME_FOLDERS[which]}/${name}`, width: f.width, height: f.height }
  }

  listFrames(folder?: string | null): FrameListing {
    const which = this.frameFolder(folder)
    return { folder: which, path: FRAME_FOLDERS[which], files: [...(this.savedFrames.get(which) ?? [])] }
  }

  getFit(): LastFit | null {
    return this.lastFit ? { ...this.lastFit } : null
  }

  saveFit(): SavedCoefficients {
    const fit = this.getFit()
    if (!fit) throw new HttpError(404, 'no fit yet: run TraceNote or TraceFirstNote during a song')
    if (fit.saved_as) throw new HttpError(409, `this fit is saved already, as ${fit.saved_as}`)
    const version = `v${++this.coefficientVersion}`
    this.lastFit = { ...fit, saved_as: version }
    return { version, path: `workflow/coefficients/${version}.json`, coefficients: fit.coefficients }
  }

  // ---- simulation ----
  private setState(module: string, status: TaskStatus, task: string | null, jobId: string | null, error: string | null = null): void {
    const s = this.states.get(module)
    if (!s) return
    Object.assign(s, { status, task, job_id: jobId, error })
    this.emit(module, 'state', { status, task, job_id: jobId, error, fields: s.fields ?? {} })
  }

  private later(job: Job, ms: number, fn: () => void, evenIfStopped = false): void {
    const t = setTimeout(() => {
      if (job.stop && !evenIfStopped) return
      if (this.jobs.get(job.module) !== job) return
      fn()
    }, ms * this.tick)
    job.timers.push(t)
  }

  private finish(job: Job, status: 'finished' | 'failed' | 'stopped', error: string | null = null): void {
    if (this.jobs.get(job.module) !== job) return
    for (const t of job.timers) clearTimeout(t)
    this.jobs.delete(job.module)
    if (this.device?.startsWith(`${job.module}:`)) this.device = null
    const s = this.states.get(job.module)
    if (s?.prompt) {
      this.emit(job.module, 'prompt', { ...s.prompt, closed: true, answer: null } as unknown as Record<string, unknown>)
      s.prompt = null
    }
    if (status === 'failed' && error) this.log(job, error, 'error')
    this.setState(job.module, status, job.task, job.id, error)
  }

  private log(job: Job, message: string, level: 'debug' | 'info' | 'warning' | 'error' = 'info'): void {
    this.emit(job.module, 'log', { level, message, task: job.task, job_id: job.id })
  }

  private progress(job: Job, done: number, total: number | null, message: string, metrics: Record<string, number | string> = {}): void {
    const data = { task: job.task, job_id: job.id, done, total, message, metrics }
    const s = this.states.get(job.module)
    if (s) s.progress = data
    this.emit(job.module, 'progress', data)
  }

  private ask(job: Job, prompt: string, options: string[], textHint: string | null, onReply: (answer: string, text: string | null) => void, choices: string[] = []): void {
    const data: PromptData = { prompt_id: Math.random().toString(16).slice(2, 10), task: job.task, job_id: job.id, prompt, options, text_hint: textHint, choices, closed: false, answer: null }
    const s = this.states.get(job.module)
    if (s) s.prompt = data
    job.onReply = onReply
    this.emit(job.module, 'prompt', data as unknown as Record<string, unknown>)
  }

  private async publishFrame(job: Job, n: number, meta: Record<string, unknown> = { n }): Promise<void> {
    const frame = await this.makeFrame?.(n)
    if (!frame || this.jobs.get(job.module) !== job) return
    this.frames.set(job.module, frame)
    this.emit(job.module, 'image', { kind: 'frame', url: `/api/${job.module}/images/frame`, width: frame.width, height: frame.height, meta })
  }

  /** The PNG behind GET /api/{module}/images/{kind}, if one was published. */
  image(module: string, kind: string): Frame | undefined {
    return kind === 'frame' ? this.frames.get(module) : this.charts.get(`${module}/${kind}`)
  }

  /** Charts are drawn one after another so their events keep the task's order (the
   * histogram after the last loss curve, as the real task publishes them). */
  private chartQueue: Promise<void> = Promise.resolve()

  private publishChart(job: Job, spec: ChartSpec, meta: Record<string, unknown>): Promise<void> {
    this.chartQueue = this.chartQueue.then(async () => {
      // unlike frames, a chart stays valid after its job ends
      const chart = await this.makeChart?.(spec)
      if (!chart) return
      this.charts.set(`${job.module}/${spec.kind}`, chart)
      this.emit(job.module, 'image', { kind: spec.kind, url: `/api/${job.module}/images/${spec.kind}`, width: chart.width, height: chart.height, meta })
    }).catch(() => undefined)
    return this.chartQueue
  }

  private config(module: string): Record<string, unknown> {
    return this.configs.get(module)?.config ?? {}
  }

  private simulate(job: Job): void {
    const cfg = this.config(job.module)
    switch (job.task) {
      case 'train_song_recognition':
      case 'train_ui_recognition': {
        const epochs = Number(cfg.epoch ?? 20)
        const lr0 = Number(cfg.learn_rate ?? 0.01)
        this.log(job, `training for ${epochs} epochs (mock), lr ${lr0}`)
        let epoch = 0
        const losses: number[] = []
        const step = (): void => {
          epoch++
          const lr = lr0 * 0.5 * (1 + Math.cos((Math.PI * epoch) / epochs))
          const loss = 2.5 * Math.exp(-epoch / (epochs / 3)) + 0.05 + Math.random() * 0.05
          losses.push(loss)
          this.progress(job, epoch, epochs, `epoch ${epoch}/${epochs}`, { loss: Number(loss.toFixed(4)), lr: Number(lr.toExponential(3)) })
          if (epoch % 5 === 0) this.log(job, `epoch ${epoch}: loss ${loss.toFixed(4)}`)
          if (epoch % 5 === 0 && epoch < epochs) void this.publishChart(job, { kind: 'loss_curve', losses: [...losses] }, {})
          if (epoch >= epochs) {
            void this.publishChart(job, { kind: 'loss_curve', losses: [...losses] }, {})
            if (job.task === 'train_song_recognition') {
              // like the real task: statistics of the kept model after the final evaluation
              const st = mockSimilarityStats(2048, Date.now() % 1000)
              this.log(job, `different songs: min ${st.min.toFixed(4)} max ${st.max.toFixed(4)} mean ${st.mean.toFixed(4)}; worst known match ${st.worst_known.toFixed(4)}; gap ${st.gap.toFixed(4)}`)
              const meta = { min: st.min, max: st.max, mean: st.mean, worst_known: st.worst_known, best_different: st.best_different, gap: st.gap, pairs: st.pairs, known_queries: 256, songs: 587 }
              void this.publishChart(job, { kind: 'similarity_histogram', stats: st }, meta)
            }
            this.log(job, 'training done (mock)')
            this.finish(job, 'finished')
          } else this.later(job, 250, step)
        }
        this.later(job, 200, step)
        return
      }
      case 'add_song':
      case 'add_img': {
        const hint = job.task === 'add_song' ? 'song id' : 'state id or name'
        const total = 3
        let n = 0
        const next = (): void => {
          n++
          if (n > total) {
            this.log(job, 'done (mock)')
            return this.finish(job, 'finished')
          }
          void this.publishFrame(job, n)
          this.progress(job, n - 1, total, `frame_${n}.png`)
          const guess = job.task === 'add_song' ? String(100 + n) : STATES[n] ?? 'ready'
          this.ask(job, `frame_${n}.png: best guess ${guess} (mock)`, ['Yes', 'No', 'Drop', 'Stop'], hint, (answer, text) => {
            if (answer === 'Stop') {
              this.log(job, 'stopped by the user')
              return this.finish(job, 'finished')
            }
            if (answer === 'Drop') this.log(job, `frame_${n}.png dropped`)
            else this.log(job, `frame_${n}.png saved as ${answer === 'No' ? text : guess}`)
            this.later(job, 200, next)
          })
        }
        this.log(job, `${total} screenshots to label (mock)`)
        this.later(job, 200, next)
        return
      }
      case 'start_scriptor': {
        runMockScriptor({
          config: () => this.config(job.module),
          fields: (f) => {
            const st = this.states.get(job.module)
            if (!st || this.jobs.get(job.module) !== job) return
            st.fields = { ...(st.fields ?? {}), ...f }
            this.emit(job.module, 'state', { status: st.status, task: job.task, job_id: job.id, error: null, fields: st.fields })
          },
          log: (message, level) => this.log(job, message, level),
          later: (ms, fn) => this.later(job, ms, fn),
          record: (play) => {
            this.scriptorHistory.push(play)
          },
          finish: () => this.finish(job, 'finished'),
        })
        return
      }
      case 'fetch': {
        const mode = String(cfg.fetch_mode ?? 'FetchLack')
        const total = mode === 'FetchOne' ? 1 : 12
        this.log(job, `fetch mode ${mode} (mock)`)
        let i = 0
        const step = (): void => {
          i++
          this.progress(job, i, total, `chart ${i}/${total}`)
          this.log(job, `fetched chart ${mode === 'FetchOne' ? String(cfg.song_id) : 100 + i}_3`)
          if (i === 4 && total > 1) this.log(job, 'Bestdori answered 503; retrying in 1.0s (mock)', 'warning')
          if (i >= total) {
            this.log(job, `done: ${total} charts`)
            this.finish(job, 'finished')
          } else this.later(job, 400, step)
        }
        this.later(job, 200, step)
        return
      }
      case 'workflow':
        return this.simulateWorkflow(job, cfg)
      default: {
        // long-running loops: any task added later
        let n = 0
        this.log(job, `${job.task} started (mock); runs until stopped`)
        const loop = (): void => {
          n++
          const s = this.states.get(job.module)
          if (s) s.fields = { loop: n, mode: String(cfg.mode ?? cfg.workflow_mode ?? '-') }
          if (n % 5 === 1) void this.publishFrame(job, n)
          if (n % 4 === 0) this.log(job, `loop ${n}: state ${STATES[n % STATES.length]}`, n % 20 === 0 ? 'debug' : 'info')
          this.later(job, 500, loop)
        }
        this.later(job, 100, loop)
      }
    }
  }

  /** The workflow's six modes as the real task runs them, with made-up frames. */
  private simulateWorkflow(job: Job, cfg: Record<string, unknown>): void {
    const mode: WorkflowMode = isWorkflowMode(cfg.workflow_mode) ? cfg.workflow_mode : 'Capture'
    const rate = Number(cfg.frame_rate ?? 2)
    const folder = this.frameFolder()
    // the fields the real task publishes, typed by the same generated model
    const fields = (f: WorkflowLive): void => {
      const s = this.states.get(job.module)
      if (s) s.fields = { ...s.fields, ...f }
      this.emit(job.module, 'state', { status: 'running', task: job.task, job_id: job.id, error: null, fields: f })
    }
    const frameMeta = (n: number, fps: number): Record<string, unknown> => ({ n, fps, source: 'mock-device', simulated: true, capture: 'mock' })
    if (mode === 'Capture') {
      this.log(job, `capturing from mock-device (mock) at up to ${rate} fps`)
      let n = 0
      const loop = (): void => {
        n++
        const fps = Number((Math.min(rate, 5) * (0.95 + Math.random() * 0.05)).toFixed(2))
        void this.publishFrame(job, n, frameMeta(n, fps))
        fields({ mode, frames: n, fps, capture: 'mock' })
        this.later(job, 1000 / Math.min(rate, 5), loop)
      }
      this.later(job, 100, loop)
    } else if (mode === 'Record') {
      const total = Math.max(1, Math.round(Number(cfg.record_duration_s ?? 10) * rate))
      const prefix = `record-${frameName(new Date(), 'x').slice(0, 15)}`
      this.log(job, `recording ${total} frames at ${rate} fps into ${FRAME_FOLDERS[folder]}/ (mock)`)
      let n = 0
      const step = (): void => {
        n++
        const list = this.savedFrames.get(folder) ?? []
        this.savedFrames.set(folder, [...list, `${prefix}_${String(n - 1).padStart(5, '0')}.png`].sort())
        this.progress(job, n, total, `${n}/${total} frames`, { fps: rate })
        if (n % 3 === 1) void this.publishFrame(job, n, frameMeta(n, rate))
        fields({ mode, frames: n, total, fps: rate, capture: 'mock' })
        if (n >= total) {
          this.log(job, `recorded ${n} frames into ${FRAME_FOLDERS[folder]}/ (${prefix}_*.png)`)
          this.finish(job, 'finished')
        } else this.later(job, 1000 / rate, step)
      }
      this.later(job, 100, step)
    } else if (mode === 'WalkThrough' || mode === 'WalkThroughSheet') {
      const files = [...(this.savedFrames.get(folder) ?? [])]
      if (!files.length) return this.finish(job, 'failed', `no saved frames in ${FRAME_FOLDERS[folder]}/: capture or record some first`)
      this.log(job, `${mode}: ${files.length} frames in ${FRAME_FOLDERS[folder]}/ (mock)`)
      let i = 0
      const show = (): void => {
        const file = files[i] as string
        void this.publishFrame(job, i + 1, { index: i, total: files.length, file })
        let extra = ''
        if (mode === 'WalkThroughSheet') {
          const notes = mockNotes(i + 1)
          void this.publishOverlay(job, notes, overlayMeta(i, file, notes))
          extra = `: ${notes.length} note(s)`
        }
        fields({ mode, index: i + 1, total: files.length, file })
        this.ask(job, `frame ${i + 1}/${files.length}: ${file}${extra} (${WALK_HELP})`, WALK_NAV, 'frame number or UI state', (answer, text) => {
          if (answer === 'Stop') {
            this.log(job, `${mode} ended at frame ${i + 1}/${files.length}`)
            return this.finish(job, 'finished')
          }
          if (answer === 'Yes') i = (i + 1) % files.length
          else if (answer === 'Drop') i = (i - 1 + files.length) % files.length
          else {
            const given = (text ?? '').trim()
            if (/^\d+$/.test(given)) {
              if (Number(given) >= 1 && Number(given) <= files.length) i = Number(given) - 1
              else this.log(job, `jump: ${given} is no frame number 1..${files.length}`, 'warning')
            } else if (!STATES.includes(given)) {
              this.log(job, `label: unknown UI state '${given}': one of ${STATES.join(', ')}`, 'warning')
            } else {
              this.log(job, `labelled ${file} as ${given}: ui_recognition/imgs/${given}/${file}`)
              files.splice(i, 1)
              this.savedFrames.set(folder, (this.savedFrames.get(folder) ?? []).filter((f) => f !== file))
              if (!files.length) {
                this.log(job, `${mode}: every frame in ${FRAME_FOLDERS[folder]}/ is labelled`)
                return this.finish(job, 'finished')
              }
              i = Math.min(i, files.length - 1)
            }
          }
          this.later(job, 100, show)
        }, STATES)
      }
      this.later(job, 100, show)
    } else {
      const duration = Number(cfg.trace_duration_s ?? 20)
      const steps = Math.max(4, Math.min(20, Math.round(duration)))
      this.log(job, `${mode}: tracing notes for up to ${duration} s from mock-device (mock)`)
      let n = 0
      const step = (): void => {
        n++
        const notes = mockNotes(n)
        void this.publishOverlay(job, notes, { ...frameMeta(n, 12), notes: notes.length })
        fields({ mode, frames: n * 12, fps: 12, samples: n * 6, capture: 'mock' })
        if (n < steps) return this.later(job, 250, step)
        const trace = `workflow/traces/${frameName(new Date(), mode).slice(0, 15)}_${mode}.json`
        const { fit, residualsMs } = mockFit(mode, trace, Date.now() % 997)
        this.lastFit = fit
        void this.publishChart(job, { kind: 'fit', residualsMs, rmsMs: fit.rms_ms }, { rms_ms: fit.rms_ms, max_ms: fit.max_ms })
        fields({ fit_rms_ms: fit.rms_ms, fit_max_ms: fit.max_ms, previous_rms_ms: Number((fit.rms_ms * 1.2).toFixed(3)), coefficients: fit.coefficients })
        this.log(job, `fit: rms ${fit.rms_ms.toFixed(2)} ms, max ${fit.max_ms.toFixed(2)} ms over ${fit.points} points (mock)`)
        if (cfg.save_coefficients === true) {
          const saved = this.saveFit()
          this.log(job, `saved the curve as ${saved.version} (${saved.path}): the play engine uses it from now on`)
        } else this.log(job, "not saved (save_coefficients is off): the dashboard's Save coefficients saves this fit")
        this.finish(job, 'finished')
      }
      this.later(job, 100, step)
    }
  }

  private async publishOverlay(job: Job, notes: MockNote[], meta: Record<string, unknown>): Promise<void> {
    const img = await this.makeOverlay?.(notes)
    if (!img || this.jobs.get(job.module) !== job) return
    this.charts.set(`${job.module}/overlay`, img)
    this.emit(job.module, 'image', { kind: 'overlay', url: `/api/${job.module}/images/overlay`, width: img.width, height: img.height, meta })
  }
}
