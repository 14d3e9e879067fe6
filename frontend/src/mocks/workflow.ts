/** What the mock's workflow task shows (the real one: services/workflow/tasks.py): made-up
 * notes on a playfield for the overlay, a made-up trace fit, and saved-frame names. Pure. */
import type { LastFit } from '@/api/types'

/** A note the mock "detects": kind, depth (0 top .. 1 judge line) and its box. */
export interface MockNote {
  kind: string
  depth: number
  box: [number, number, number, number]
}

const KINDS = ['tap', 'long', 'flick', 'skill'] as const
const TOP_Y = 180
const JUDGE_Y = 590
const TRACK = { x1: 120, x2: 1160 }

/** Notes at lanes and depths that move with `n` (a falling song, roughly). */
export function mockNotes(n: number): MockNote[] {
  const lane = (i: number): number => TRACK.x1 + ((i + 0.5) * (TRACK.x2 - TRACK.x1)) / 7
  return [0, 1, 2].map((j) => {
    const depth = Number((((n * 0.13 + j * 0.31) % 1) * 0.9 + 0.05).toFixed(4))
    const cx = lane((n + 2 * j) % 7)
    const cy = TOP_Y + depth * (JUDGE_Y - TOP_Y)
    const w = Math.round(60 + 50 * depth)
    return { kind: KINDS[(n + j) % KINDS.length] as string, depth, box: [Math.round(cx - w / 2), Math.round(cy - 12), w, 24] }
  })
}

/** The overlay image's meta as the real task publishes it. */
export function overlayMeta(index: number, file: string, notes: MockNote[]): Record<string, unknown> {
  return { index, file, notes: notes.map((m) => [m.kind, m.depth]), boxes: notes.map((m) => m.box) }
}

/** Saved-frame names as shared/saved_frames.py gives them. */
export function frameName(when: Date, state: string): string {
  const p = (v: number, k = 2): string => String(v).padStart(k, '0')
  const stamp = `${when.getUTCFullYear()}${p(when.getUTCMonth() + 1)}${p(when.getUTCDate())}-${p(when.getUTCHours())}${p(when.getUTCMinutes())}${p(when.getUTCSeconds())}-${p(when.getUTCMilliseconds(), 3)}`
  const safe = state.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'unknown'
  return `${stamp}_${safe}.png`
}

/** A plausible refit (near the shipped v1 curve) with its residuals, for the fit plot. */
export function mockFit(mode: string, trace: string, seed = 1): { fit: LastFit; residualsMs: number[] } {
  let x = seed >>> 0 || 1
  const rnd = (): number => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    return x / 4294967296
  }
  const residualsMs = Array.from({ length: mode === 'TraceFirstNote' ? 17 : 101 }, () => (rnd() - 0.5) * 9)
  const rms = Math.sqrt(residualsMs.reduce((a, r) => a + r * r, 0) / residualsMs.length)
  const max = Math.max(...residualsMs.map(Math.abs))
  const fit: LastFit = {
    coefficients: [1.4142, 0.5917 + rnd() * 0.01, 0.4183, -0.0891, 0.0437],
    rms_ms: Number(rms.toFixed(3)),
    max_ms: Number(max.toFixed(3)),
    points: residualsMs.length,
    trace,
    mode,
    fitted_at: new Date().toISOString(),
    saved_as: null,
  }
  return { fit, residualsMs }
}
