/**
 * The live backend: modules and tasks from GET /api/modules, each module's task state
 * (snapshot on connect, then state events), health from /healthz, and the one WebSocket
 * whose events feed the console, telemetry and config stores.
 */
import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import { api } from '@/api/endpoints'
import { ApiError } from '@/api/client'
import type { ServerMessage, StateData, StreamEvent } from '@/api/events'
import type { ConfigDoc, Health, ModuleInfo, SnapshotModuleDoc } from '@/api/types'
import { splitUnit, UNIT_SEP } from '@/lib/devices'
import { describeSchema, type JsonSchema } from '@/lib/schema'
import { isActive, isTaskStatus, type TaskStatus } from '@/lib/status'
import { compareStreamIds, STREAM_START } from '@/lib/streamId'
import { EventSocket, type SocketStatus } from '@/ws/socket'
import { useConfigStore } from './config'
import { useConsoleStore } from './console'
import { useTelemetryStore } from './telemetry'

export interface ModuleState {
  status: TaskStatus
  task: string | null
  jobId: string | null
  error: string | null
  fields: Record<string, unknown>
}

export interface TaskFeedback {
  error: string
  busy: boolean
  /** said after a start that went on without some typed values (invalid, not saved) */
  notice?: string
}

export const HEALTH_POLL_MS = 5000

function toState(raw: Partial<StateData> & Record<string, unknown>, prev?: ModuleState): ModuleState {
  const jobId = typeof raw.job_id === 'string' ? raw.job_id : (prev?.jobId ?? null)
  // A new job starts with its own fields: the last run's counts ("failed 5") are not its.
  const kept = prev && prev.jobId === jobId ? prev.fields : {}
  return {
    status: isTaskStatus(raw.status) ? raw.status : (prev?.status ?? 'idle'),
    task: typeof raw.task === 'string' ? raw.task : raw.task === null ? null : (prev?.task ?? null),
    jobId,
    error: typeof raw.error === 'string' && raw.error ? raw.error : null,
    fields: { ...kept, ...(raw.fields && typeof raw.fields === 'object' ? raw.fields : {}) },
  }
}

/** How a task is named to the user (as shared/runtime/control.py device_user does): its
 * module's title, or the task's and the module's when the module has several ("Add songs
 * in Song Recognition"). */
function holderName(info: ModuleInfo, task: string | null): string {
  const t = info.tasks.find((x) => x.name === task)
  return !t || info.tasks.length === 1 || t.title === info.title ? info.title : `${t.title} in ${info.title}`
}

/** Reads a worker's liveness out of /healthz, whatever detail the gateway gives. */
export function workerAlive(health: Health | null, module: string): boolean | null {
  const w = health?.workers?.[module]
  if (w === undefined || w === null) return null
  if (typeof w === 'boolean') return w
  if (typeof w === 'object') {
    const o = w as Record<string, unknown>
    if (typeof o.alive === 'boolean') return o.alive
    if (typeof o.ok === 'boolean') return o.ok
    if (typeof o.count === 'number') return o.count > 0
  }
  if (typeof w === 'number') return w > 0
  return null
}

export const useBackendStore = defineStore('backend', () => {
  const modules = ref<ModuleInfo[]>([])
  const states = reactive<Record<string, ModuleState>>({})
  const cursors = reactive<Record<string, string>>({})
  const feedback = reactive<Record<string, TaskFeedback>>({})
  const health = ref<Health | null>(null)
  const healthError = ref('')
  const socketStatus = ref<SocketStatus>('connecting')
  const loadError = ref('')
  const loaded = ref(false)
  let socket: EventSocket | null = null
  let healthTimer: ReturnType<typeof setInterval> | null = null

  const backendOk = computed(() => !healthError.value && socketStatus.value === 'open')

  function stateOf(module: string): ModuleState {
    return states[module] ?? { status: 'idle', task: null, jobId: null, error: null, fields: {} }
  }

  function taskStatus(module: string, task: string): TaskStatus {
    const s = stateOf(module)
    return s.task === task ? s.status : 'idle'
  }

  function feedbackOf(module: string, task: string): TaskFeedback {
    const key = `${module}/${task}`
    let f = feedback[key]
    if (!f) {
      feedback[key] = { error: '', busy: false }
      f = feedback[key] as TaskFeedback
    }
    return f
  }

  // a unit (`workflow@mumu2`) has its module's tasks
  const usesDevice = (module: string, task: string | null): boolean =>
    !!modules.value.find((m) => m.name === splitUnit(module)[0])?.tasks.find((t) => t.name === task)?.uses_device

  /** Why a task cannot start now, or '' when it can: another task of its unit is active,
   * or (for a device task) another module's device task holds the same device. */
  function blockedReason(module: string, task: string): string {
    const s = stateOf(module)
    if (isActive(s.status) && s.task === task) return ''
    const [base, device] = splitUnit(module)
    const info = modules.value.find((m) => m.name === base)
    if (isActive(s.status)) {
      const holder = info?.tasks.find((t) => t.name === s.task)?.title ?? s.task ?? 'another task'
      return `${holder} is ${s.status} in this module; its tasks run one at a time. Stop it first.`
    }
    if (!usesDevice(module, task)) return ''
    for (const other of modules.value) {
      // the other module's unit on the same device (device tasks on other devices run in parallel)
      const o = stateOf(device ? `${other.name}${UNIT_SEP}${device}` : other.name)
      if (other.name === base || !isActive(o.status) || !usesDevice(other.name, o.task)) continue
      return `the device is in use by ${holderName(other, o.task)}; device tasks run one at a time. Stop it first.`
    }
    return ''
  }

  let loading: Promise<void> | null = null

  /** Loads modules and configs; concurrent callers share one request. */
  function load(): Promise<void> {
    loading ??= doLoad().finally(() => {
      loading = null
    })
    return loading
  }

  async function doLoad(): Promise<void> {
    try {
      const list = await api.modules()
      const docs = await Promise.all(list.map((m) => api.config(m.name)))
      const config = useConfigStore()
      modules.value = list
      list.forEach((m, i) => {
        const doc = docs[i] as ConfigDoc
        states[m.name] = toState(m.state, states[m.name])
        cursors[m.name] ??= STREAM_START
        config.init(m.name, describeSchema(m.config_schema as JsonSchema), doc.config, doc.version)
        adoptSnapshot(m.name, m.state)
      })
      loadError.value = ''
      loaded.value = true
    } catch (err) {
      loadError.value = err instanceof Error ? err.message : String(err)
    }
  }

  async function pollHealth(): Promise<void> {
    try {
      health.value = await api.health()
      healthError.value = ''
    } catch (err) {
      healthError.value = err instanceof ApiError ? err.message : 'gateway unreachable'
    }
  }

  function handleEvent(ev: StreamEvent): void {
    const seen = cursors[ev.module]
    if (seen && compareStreamIds(ev.id, seen) <= 0) return // already had it (replay overlap)
    cursors[ev.module] = ev.id
    const console = useConsoleStore()
    switch (ev.type) {
      case 'log':
        console.addLog(ev.module, ev.id, ev.ts, ev.data.level, ev.data.message, ev.data.task, ev.data.details)
        break
      case 'state': {
        const prev = states[ev.module]
        const next = toState(ev.data as StateData & Record<string, unknown>, prev)
        states[ev.module] = next
        if (!prev || prev.status !== next.status || prev.task !== next.task) {
          const err = next.error ? `: ${next.error}` : ''
          console.addState(ev.module, ev.id, ev.ts, `${next.task ?? 'module'} ${next.status}${err}`, next.task)
        }
        break
      }
      case 'progress':
        useTelemetryStore().addProgress(ev.module, ev.ts, ev.data)
        break
      case 'prompt':
        console.upsertPrompt(ev.module, ev.id, ev.ts, ev.data)
        break
      case 'image':
        useTelemetryStore().setImage(ev.module, ev.id, ev.ts, ev.data)
        break
      case 'config':
        useConfigStore().acknowledge(ev.module, ev.data.version, ev.data.task, ev.data.applied ?? [], ev.data.deferred ?? [])
        break
    }
  }

  /** A snapshot also carries the open prompt, the last progress and the latest image of
   * each kind: show them even when their events were trimmed from the stream. */
  function adoptSnapshot(module: string, raw: Partial<SnapshotModuleDoc>): void {
    const ts = Date.now() / 1000
    if (raw.prompt && !raw.prompt.closed) useConsoleStore().upsertPrompt(module, raw.last_id ?? STREAM_START, ts, raw.prompt, true)
    const tele = useTelemetryStore()
    if (raw.progress && !tele.progress[module]) tele.addProgress(module, ts, raw.progress)
    if (raw.images) tele.adoptImages(module, raw.images)
  }

  function handleMessage(msg: ServerMessage): void {
    if (msg.type === 'snapshot') {
      for (const [name, raw] of Object.entries(msg.modules)) {
        states[name] = toState(raw, states[name])
        adoptSnapshot(name, raw as Partial<SnapshotModuleDoc>)
      }
    } else if (msg.type === 'trimmed') {
      useConsoleStore().markTrimmed(msg.module)
    } else {
      handleEvent(msg)
    }
  }

  function connect(): void {
    socket?.close()
    socket = new EventSocket({
      cursors: () => ({ ...cursors }),
      onMessage: handleMessage,
      onStatus: (s) => {
        socketStatus.value = s
      },
    })
    socket.connect()
    void pollHealth()
    if (healthTimer) clearInterval(healthTimer)
    healthTimer = setInterval(() => void pollHealth(), HEALTH_POLL_MS)
  }

  function disconnect(): void {
    socket?.close()
    socket = null
    if (healthTimer) clearInterval(healthTimer)
    healthTimer = null
  }

  /** Runs a task request with its card's busy flag, the server's refusal shown on the card. */
  async function withFeedback(module: string, task: string, call: () => Promise<unknown>): Promise<void> {
    const f = feedbackOf(module, task)
    f.busy = true
    f.error = ''
    try {
      await call()
    } catch (err) {
      f.error = err instanceof Error ? err.message : String(err)
    } finally {
      f.busy = false
    }
  }

  function start(module: string, task: string): Promise<void> {
    return withFeedback(module, task, async () => {
      const config = useConfigStore()
      const base = splitUnit(module)[0] // a unit runs with its module's one config
      await config.flushNow(base) // the task starts with what the user sees
      const ignored = config.ignoredValues(base)
      await api.start(module, task)
      // A typed value that is not valid was not saved: the task runs with the saved one, and says so.
      feedbackOf(module, task).notice = ignored.length
        ? `Started with the saved value of ${ignored.join(', ')}: fix the setting to use it.`
        : ''
    })
  }

  function stop(module: string, task: string): Promise<void> {
    return withFeedback(module, task, () => api.stop(module, task))
  }

  return {
    modules,
    states,
    cursors,
    health,
    healthError,
    socketStatus,
    loadError,
    loaded,
    backendOk,
    stateOf,
    taskStatus,
    feedbackOf,
    blockedReason,
    load,
    connect,
    disconnect,
    handleMessage,
    start,
    stop,
  }
})
