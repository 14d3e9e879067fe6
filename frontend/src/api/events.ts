/**
 * The /ws wire form (shared/event_schema.py), with types generated from the gateway's OpenAPI
 * components (src/api/schema.d.ts). Only the runtime narrowing lives here.
 */
import type { components } from './schema'

type Schemas = components['schemas']

export type LogLevel = Schemas['LogData']['level']
export type LogData = Schemas['LogData']
export type StateData = Schemas['StateData']
export type ProgressData = Schemas['ProgressData']
export type PromptData = Schemas['PromptData']
export type ImageData = Schemas['ImageData']
/** The latest image of a kind as the snapshot and GET /api/{module}/images name it. */
export type LatestImage = Schemas['LatestImage']

export type StreamEvent =
  | Schemas['LogEvent']
  | Schemas['StateEvent']
  | Schemas['ProgressEvent']
  | Schemas['PromptEvent']
  | Schemas['ImageEvent']
  | Schemas['ConfigEvent']

export type SnapshotMessage = Schemas['SnapshotMessage']
export type TrimmedMessage = Schemas['TrimmedMessage']
export type ServerMessage = StreamEvent | SnapshotMessage | TrimmedMessage

const EVENT_TYPES = new Set(['log', 'state', 'progress', 'prompt', 'image', 'config'])

/** Narrows a parsed JSON message; unknown shapes are dropped (never thrown at the UI). */
export function parseServerMessage(raw: unknown): ServerMessage | null {
  if (!raw || typeof raw !== 'object') return null
  const m = raw as Record<string, unknown>
  if (m.type === 'snapshot' && m.modules && typeof m.modules === 'object') return m as unknown as SnapshotMessage
  if (m.type === 'trimmed' && typeof m.module === 'string') {
    const data = (m.data && typeof m.data === 'object' ? m.data : {}) as Partial<TrimmedMessage['data']>
    return { type: 'trimmed', module: m.module, data: { oldest: data.oldest ?? null, since: data.since ?? '' } }
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
