/**
 * The workflow task's modes as the dashboard sees them (docs/workflow.md): which controls a
 * mode has, how the walk-through's controls become answers to its prompt, and what the
 * overlay's meta says about the notes found. Pure: no stores, no requests.
 */
import type { ReplyAnswer, WorkflowLive } from '@/api/types'

export const WORKFLOW_MODES = ['Capture', 'Record', 'WalkThrough', 'WalkThroughSheet', 'TraceNote', 'TraceFirstNote'] as const
export type WorkflowMode = (typeof WORKFLOW_MODES)[number]

/** The controls each mode shows. */
export type Section = 'capture' | 'record' | 'walk' | 'trace'

export function isWorkflowMode(v: unknown): v is WorkflowMode {
  return typeof v === 'string' && (WORKFLOW_MODES as readonly string[]).includes(v)
}

export function sectionOf(mode: WorkflowMode): Section {
  if (mode === 'Capture') return 'capture'
  if (mode === 'Record') return 'record'
  if (mode === 'WalkThrough' || mode === 'WalkThroughSheet') return 'walk'
  return 'trace'
}

/** The mode on screen: the running task's own (state field `mode`), else the config's. */
export function currentMode(fields: WorkflowLive, configured: unknown, running: boolean): WorkflowMode {
  if (running && fields.mode) return fields.mode
  return isWorkflowMode(configured) ? configured : 'Capture'
}

/** One walk-through control, as the task's prompt takes it (services/workflow/tasks.py:
 * Yes = next, Drop = previous, No + a number = jump, No + a UI state = label). */
export type WalkAction = { kind: 'next' } | { kind: 'previous' } | { kind: 'jump'; to: number } | { kind: 'label'; state: string }

export interface WalkReply {
  answer: ReplyAnswer
  text: string | null
}

export function walkReply(action: WalkAction): WalkReply {
  switch (action.kind) {
    case 'next':
      return { answer: 'Yes', text: null }
    case 'previous':
      return { answer: 'Drop', text: null }
    case 'jump':
      return { answer: 'No', text: String(action.to) }
    case 'label':
      return { answer: 'No', text: action.state }
  }
}

/** Why a jump target is refused ('' when it is a frame number 1..total). */
export function jumpError(text: string, total: number): string {
  const t = text.trim()
  if (!t) return ''
  if (!/^\d+$/.test(t)) return 'a frame number'
  const n = Number(t)
  return n >= 1 && n <= total ? '' : `1..${total}`
}

/** Where the walk-through is: frame `index` (1-based) of `total`, and its file. */
export interface WalkPosition {
  index: number
  total: number
  file: string
}

export function walkPosition(fields: WorkflowLive): WalkPosition | null {
  const { index, total, file } = fields
  if (index == null || total == null) return null
  return { index, total, file: file ?? '' }
}

/** A note the detector found, with its box in frame pixels. */
export interface NoteMark {
  kind: string
  depth: number
  box: [number, number, number, number] | null
}

const isBox = (b: unknown): b is [number, number, number, number] => Array.isArray(b) && b.length === 4 && b.every((v) => typeof v === 'number')

/** The overlay image's meta (`notes: [[kind, depth]]`, `boxes: [[x, y, w, h]]`) as marks;
 * malformed entries are left out. */
export function noteMarks(meta: Record<string, unknown> | undefined): NoteMark[] {
  const notes = Array.isArray(meta?.notes) ? meta.notes : []
  const boxes = Array.isArray(meta?.boxes) ? meta.boxes : []
  const out: NoteMark[] = []
  notes.forEach((n: unknown, i: number) => {
    if (!Array.isArray(n) || typeof n[0] !== 'string' || typeof n[1] !== 'number') return
    const b: unknown = boxes[i]
    out.push({ kind: n[0], depth: n[1], box: isBox(b) ? b : null })
  })
  return out
}

/** What Capture tells about the device: frame rate, capture backend, where from. */
export interface CaptureInfo {
  fps: number | null
  capture: string | null
  source: string | null
  simulated: boolean
}

export function captureInfo(fields: WorkflowLive, meta: Record<string, unknown> | undefined): CaptureInfo {
  // the image meta is free-form (a module's own keys): read with care
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
  const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null)
  return {
    fps: fields.fps ?? num(meta?.fps),
    capture: fields.capture || str(meta?.capture),
    source: str(meta?.source),
    simulated: meta?.simulated === true,
  }
}

/** The curve's formula with its coefficients, for reading. */
export function curveText(c: readonly number[]): string {
  const [c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0] = c.map((v) => Number(v.toPrecision(5)))
  const signed = (v: number): string => (v < 0 ? `− ${-v}` : `+ ${v}`)
  const inner = (v: number): string => (v < 0 ? `t−${-v}` : `t+${v}`)
  return `${c0} ${signed(-c1)}/(${inner(c2)}) ${signed(c3)}·√(${inner(c4)})`
}
