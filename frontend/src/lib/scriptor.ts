/**
 * The Scriptor panel's pure logic: the warnings of the loop's state fields (ScriptorLive,
 * generated from shared/live_state.py) in plain words, and the play history's numbers
 * (GET /api/scriptor/history).
 */
import type { PlayRecord, ScriptorLive } from '@/api/types'
import type { TaskStatus } from './status'

/** The bundle named in a give-up message ("... (error bundle: scriptor/errors/<time>)"). */
export function bundleFromError(error: string | null): string | null {
  const m = /error bundle: ([^\s)]+)/.exec(error ?? '')
  return m?.[1] ?? null
}

/** The folder name of a bundle path ("scriptor/errors/20261201-120000" -> "20261201-120000"),
 * the name `GET /api/scriptor/errors` lists it by; null for anything else. */
export function bundleName(path: string | null): string | null {
  const last = (path ?? '').replace(/\/+$/, '').split('/').pop() ?? ''
  return /^\d{8}-\d{6}(-\d{1,3})?$/.test(last) ? last : null
}

/** Where the gateway serves one file of a bundle. */
export function bundleFileUrl(name: string, file: string): string {
  return `/api/scriptor/errors/${encodeURIComponent(name)}/${encodeURIComponent(file)}`
}

/** "12.3 s", "4 min 05 s", "1 h 02 min" */
export function formatDuration(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`
}

/** The offset a play used (correction_time, microseconds) in milliseconds with its sign. */
export function formatOffset(us: number): string {
  const ms = us / 1000
  return `${ms > 0 ? '+' : ms < 0 ? '\u2212' : ''}${Math.abs(ms).toFixed(1)} ms`
}

// ---- warnings ----

export type WarningKind = 'stopped' | 'device' | 'song' | 'recovery' | 'screen' | 'room' | 'play' | 'other'

export interface ScriptorWarning {
  kind: WarningKind
  text: string
  ts: number | null
}

export interface LogLineLike {
  ts: number
  level: string
  message: string
}

/** How long a logged warning stays on the panel (the device retries back off up to 8 s;
 * the recovery ladder presses BACK every 1.5 s). */
export const WARNING_WINDOW_S = 30

const RECOVERY_STEPS: Record<string, string> = {
  safe_tap: 'tapping the last dialog\u2019s button once more',
  back: 'pressing BACK',
  restart: 'restarting the game',
  give_up: 'giving up',
}

/** One logged warning of the loop in plain words, or null for lines that are not warnings. */
export function explainLog(line: LogLineLike): ScriptorWarning | null {
  if (line.level !== 'warning' && line.level !== 'error') return null
  const msg = line.message
  let m = /^device: (.*); retrying in ([\d.]+) s \((\d+)\)$/.exec(msg)
  if (m) return { kind: 'device', ts: line.ts, text: `The device is not answering (${m[1]}); trying again in ${m[2]} s (attempt ${m[3]}).` }
  m = /^song not recognised surely \((.*)\); frame saved as (.+)$/.exec(msg)
  if (m) return { kind: 'song', ts: line.ts, text: `Not sure which song this is, so it is not played (${m[1]}). The frame was kept as ${m[2]} for Add songs.` }
  m = /^recovery: (\w+) \((.*)\)$/.exec(msg)
  if (m) return { kind: 'recovery', ts: line.ts, text: `Recovering: ${RECOVERY_STEPS[m[1] ?? ''] ?? m[1]} (${m[2]}).` }
  m = /^ready seen (\d+) times: pressing start again$/.exec(msg)
  if (m) return { kind: 'room', ts: line.ts, text: `The room has kept the ready screen ${m[1]} times: pressing start again.` }
  m = /^play failed: (.*)$/.exec(msg)
  if (m) return { kind: 'play', ts: line.ts, text: `The play engine failed during the song: ${m[1]}` }
  return { kind: 'other', ts: line.ts, text: msg }
}

/**
 * What the user should know now: why a run stopped, and while it runs the latest logged
 * warning of each kind from the last `WARNING_WINDOW_S` (a device warning is cleared by
 * the loop's "device answers again", a recovery step by a known screen that began after
 * it), plus an unrecognised screen. Log times are the gateway's, `now` the browser's: the
 * same clock when both run on one machine, as by default.
 */
export function scriptorWarnings(opts: {
  status: TaskStatus
  error: string | null
  live: ScriptorLive
  lines: readonly LogLineLike[]
  now: number
  windowS?: number
}): ScriptorWarning[] {
  const { status, live } = opts
  const out: ScriptorWarning[] = []
  if (status === 'failed' && opts.error) {
    const bundle = live.error_bundle ?? bundleFromError(opts.error)
    out.push({ kind: 'stopped', ts: null, text: `Stopped: ${opts.error}${bundle && !opts.error.includes(bundle) ? ` (error bundle: ${bundle})` : ''}` })
  }
  if (status !== 'running' && status !== 'stopping') return out
  const since = opts.now - (opts.windowS ?? WARNING_WINDOW_S)
  const latest = new Map<WarningKind, ScriptorWarning>()
  for (const line of opts.lines) {
    if (line.ts < since) continue
    if (/^device answers again/.test(line.message)) latest.delete('device')
    const w = explainLog(line)
    if (w) latest.set(w.kind, w)
  }
  // Recovered: a known screen began after the recovery step (the ladder starts over then).
  const recovery = latest.get('recovery')
  const inState = live.time_in_state_s
  if (recovery?.ts != null && live.screen && live.screen !== 'unknown' && inState != null && recovery.ts < opts.now - inState) {
    latest.delete('recovery')
  }
  if (live.screen === 'unknown') {
    const conf = live.confidence != null ? ` (best guess only ${Math.round(live.confidence * 100)} % sure)` : ''
    out.push({ kind: 'screen', ts: null, text: `The screen is not recognised${conf}; the loop waits and recovers if it lasts.` })
  }
  out.push(...[...latest.values()].sort((a, b) => (b.ts ?? 0) - (a.ts ?? 0)))
  return out
}

// ---- history ----

export const JUDGEMENTS = ['perfect', 'great', 'good', 'bad', 'miss'] as const
export type Judgement = (typeof JUDGEMENTS)[number]
export const JUDGEMENT_LABELS: Record<Judgement, string> = { perfect: 'Perfect', great: 'Great', good: 'Good', bad: 'Bad', miss: 'Miss' }

export const count = (r: PlayRecord, j: Judgement): number => r.counts?.[j] ?? 0
export const notesOf = (r: PlayRecord): number => JUDGEMENTS.reduce((a, j) => a + count(r, j), 0)
export const hasCounts = (r: PlayRecord): boolean => notesOf(r) > 0

export function isAllPerfect(r: PlayRecord): boolean {
  return r.cleared && hasCounts(r) && count(r, 'perfect') === notesOf(r)
}

export function resultOf(r: PlayRecord): { key: 'all-perfect' | 'cleared' | 'failed' | 'wrong-song' | 'skipped'; label: string } {
  // a room's song the scriptor could not play (services/scriptor/decide.py skip): the note says why
  if (r.skipped) return { key: 'skipped', label: 'skipped' }
  // the result screen was not the chart played (services/scriptor/verify.py): never cleared
  if (r.wrong_song) return { key: 'wrong-song', label: 'wrong song' }
  if (!r.cleared) return { key: 'failed', label: 'failed' }
  return isAllPerfect(r) ? { key: 'all-perfect', label: 'All Perfect' } : { key: 'cleared', label: 'cleared' }
}

/** "14:03" today, "Nov 30" on another day (local time). */
export function formatPlayTime(ts: number, now: number = Date.now() / 1000): string {
  const d = new Date(ts * 1000)
  const today = new Date(now * 1000)
  if (d.toDateString() !== today.toDateString()) return `${d.toLocaleString('en', { month: 'short' })} ${d.getDate()}`
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}`
}

export interface BarSegment {
  judgement: Judgement
  y: number
  h: number
}

export interface HistoryBar {
  index: number
  x: number
  w: number
  failed: boolean
  /** counted: false when the result screen could not be read (nothing to stack) */
  counted: boolean
  segments: BarSegment[]
  label: string
}

export interface HistoryChart {
  bars: HistoryBar[]
  /** the share of notes at the bottom of the plot (the axis is zoomed so that a few
   * Greats among hundreds of Perfects stay visible) */
  floor: number
  ticks: { share: number; y: number }[]
}

/**
 * Per play a bar of its judgements stacked (Perfect at the bottom), as shares of its
 * notes, on an axis from `floor` to 100 % where `floor` is the lowest Perfect share of
 * the plays drawn rounded down to 10 % (90 % when every play is (near) All Perfect).
 */
export function historyChart(records: readonly PlayRecord[], box: { w: number; h: number; top: number; bottom: number; left: number; right: number }, maxBars = 40): HistoryChart {
  const shown = records.slice(-maxBars)
  const counted = shown.filter(hasCounts)
  const lowest = Math.min(0.9, ...counted.map((r) => count(r, 'perfect') / notesOf(r)))
  const floor = Math.max(0, Math.floor(lowest * 10 + 1e-9) / 10)
  const plotH = box.h - box.top - box.bottom
  const plotW = box.w - box.left - box.right
  const y = (share: number): number => box.top + (1 - (share - floor) / (1 - floor)) * plotH
  const slot = plotW / Math.max(shown.length, 10)
  const bars = shown.map((r, i): HistoryBar => {
    const notes = notesOf(r)
    const segments: BarSegment[] = []
    if (notes) {
      let acc = 0
      for (const j of JUDGEMENTS) {
        const c = count(r, j)
        if (!c) continue
        const lo = Math.max(acc / notes, floor)
        acc += c
        const hi = Math.max(acc / notes, floor)
        if (hi > lo) segments.push({ judgement: j, y: y(hi), h: y(lo) - y(hi) })
      }
    }
    const counts = notes ? JUDGEMENTS.map((j) => `${JUDGEMENT_LABELS[j]} ${count(r, j)}`).join(', ') : r.note || 'no counts'
    return {
      index: i,
      x: box.left + i * slot + slot * 0.15,
      w: slot * 0.7,
      failed: !r.cleared && !r.skipped, // a skipped room song was never ours to fail
      counted: notes > 0,
      segments,
      label: `${formatPlayTime(r.ts ?? 0)} ${r.title} (${r.difficulty}): ${resultOf(r).label}; ${counts}`,
    }
  })
  const ticks = [floor, (floor + 1) / 2, 1].map((share) => ({ share, y: y(share) }))
  return { bars, floor, ticks }
}
