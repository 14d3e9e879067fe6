/**
 * The /ws wire form (shared/events.py). WebSocket messages are not part of the OpenAPI
 * schema, so their shape is mirrored here; keep it in step with shared/events.py.
 */
import type { TaskStatus } from '@/lib/status'

export type LogLevel = 'debug' | 'info' | 'warning' | 'error'

export interface LogData {
  level: LogLevel
  message: string
  task?: string | null
  job_id?: string | null
}

export interface StateData {
  status: TaskStatus
  task?: string | null
  job_id?: string | null
  error?: string | null
  fields?: Record<string, unknown>
}

export interface ProgressData {
  task: string
  job_id: string
  done: number
  total?: number | null
  message?: string
  metrics?: Record<string, number | string>
}

export interface PromptData {
  prompt_id: string
  task: string
  job_id: string
  prompt: string
  options: string[]
  text_hint?: string | null
  closed?: boolean
  answer?: string | null
}

export interface ImageData {
  kind: string
  url: string
  width: number
  height: number
  meta?: Record<string, unknown>
}

export interface ConfigAckData {
  version: number
  task: string
  job_id: string
  /** fields the running task took live, and those it keeps until its next start */
  applied?: string[]
  deferred?: string[]
}

interface EventBase<T extends string, D> {
  id: string
  module: string
  type: T
  ts: number
  data: D
}

export type StreamEvent =
  | EventBase<'log', LogData>
  | EventBase<'state', StateData>
  | EventBase<'progress', ProgressData>
  | EventBase<'prompt', PromptData>
  | EventBase<'image', ImageData>
  | EventBase<'config', ConfigAckData>

export interface SnapshotMessage {
  type: 'snapshot'
  modules: Record<string, Partial<StateData> & Record<string, unknown>>
}

export interface TrimmedMessage {
  type: 'trimmed'
  module: string
  data: { oldest?: string | null }
}

export type ServerMessage = StreamEvent | SnapshotMessage | TrimmedMessage

const EVENT_TYPES = new Set(['log', 'state', 'progress', 'prompt', 'image', 'config'])

/** Narrows a parsed JSON message; unknown shapes are dropped (never thrown at the UI). */
export function parseServerMessage(raw: unknown): ServerMessage | null {
  if (!raw || typeof raw !== 'object') return null
  const m = raw as Record<string, unknown>
  if (m.type === 'snapshot' && m.modules && typeof m.modules === 'object') return m as unknown as SnapshotMessage
  if (m.type === 'trimmed' && typeof m.module === 'string') {
    return { type: 'trimmed', module: m.module, data: (m.data as TrimmedMessage['data'] | undefined) ?? {} }
  }
  if (
    typeof m.type === 'string' &&
    EVENT_TYPES.has(m.type) &&
    typeof m.id === 'string' &&
    typeof m.module === 'string' &&
    m.data &&
    typeof m.data === 'object'
  ) {
    return { ...m, ts: typeof m.ts === 'number' ? m.ts : Date.now() / 1000 } as unknown as StreamEvent
  }
  return null
}
