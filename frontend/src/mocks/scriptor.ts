/**
 * The dev mock's scriptor (VITE_MOCK=1): a made-up run shaped like the real loop's
 * (services/scriptor/loop.py): one cycle every 0.8 s publishing `screen`, `confidence`,
 * `cycle`, `time_in_state_s`, `last_action`, `in_play`; on `ready` the song and
 * difficulty, after the result `plays` and a row in the play history (the shape of
 * GET /api/scriptor/history); now and then an unknown screen that the recovery ladder
 * backs out of, logged as the loop logs it. The history starts with a few seeded plays.
 */
import type { PlayRecord, ScriptorLive } from '@/api/types'

export interface MockSong {
  id: number
  title: string
  /** difficulty -> [level, notes] */
  charts: Partial<Record<Difficulty, [number, number]>>
  seconds: number
}

export const DIFFICULTIES = ['easy', 'normal', 'hard', 'expert', 'special'] as const
export type Difficulty = (typeof DIFFICULTIES)[number]

/** A few songs of the shipped catalog (levels from it; note counts made up). */
export const MOCK_SONGS: readonly MockSong[] = [
  { id: 316, title: 'オレンジ', charts: { hard: [19, 402], expert: [25, 618] }, seconds: 9 },
  { id: 570, title: '第ゼロ感', charts: { hard: [19, 415], expert: [25, 702] }, seconds: 8 },
  { id: 1, title: 'Yes! BanG_Dream!', charts: { hard: [17, 355], expert: [22, 551], special: [26, 677] }, seconds: 7 },
  { id: 128, title: '六兆年と一夜物語', charts: { hard: [23, 548], expert: [29, 1004], special: [29, 1058] }, seconds: 10 },
  { id: 655, title: 'シカ色デイズ', charts: { hard: [22, 460], expert: [25, 735] }, seconds: 8 },
  { id: 243, title: '[FULL]FIRE BIRD', charts: { hard: [21, 610], expert: [28, 1154] }, seconds: 9 },
]

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    return (x + 0.5) / 4294967296
  }
}

export function chartOf(song: MockSong, level: string): { difficulty: Difficulty; level: number; notes: number } {
  const wanted = (DIFFICULTIES.find((d) => d === level.toLowerCase()) ?? 'expert') as Difficulty
  // Special falls back to Expert when the song has none, as the scriptor does.
  const difficulty = song.charts[wanted] ? wanted : song.charts.expert ? 'expert' : ((Object.keys(song.charts)[0] ?? 'expert') as Difficulty)
  const [lv, notes] = song.charts[difficulty] ?? [0, 0]
  return { difficulty, level: lv, notes }
}

/** One play's result: mostly All Perfect, sometimes a few Greats, rarely worse. */
export function mockResult(notes: number, rnd: () => number): { counts: Record<string, number>; fast: number; slow: number } {
  const roll = rnd()
  const great = roll < 0.6 ? 0 : roll < 0.9 ? 1 + Math.floor(rnd() * 4) : 3 + Math.floor(rnd() * 12)
  const good = roll < 0.9 ? 0 : Math.floor(rnd() * 3)
  const miss = roll < 0.95 ? 0 : 1 + Math.floor(rnd() * 2)
  const fast = Math.floor(great * rnd())
  return { counts: { perfect: notes - great - good - miss, great, good, bad: 0, miss }, fast, slow: great - fast }
}

/** The history a fresh mock starts with: `n` plays over the last hours, oldest first. */
export function seedHistory(now: number, n = 9, seed = 5): PlayRecord[] {
  const rnd = rng(seed)
  const out: PlayRecord[] = []
  for (let i = 0; i < n; i++) {
    const song = MOCK_SONGS[i % MOCK_SONGS.length] as MockSong
    const chart = chartOf(song, i % 4 === 3 ? 'hard' : 'expert')
    const failed = i === 4
    const result = failed ? { counts: {}, fast: 0, slow: 0 } : mockResult(chart.notes, rnd)
    out.push({
      wrong_song: false,
      skipped: false,
      song_id: song.id,
      title: song.title,
      difficulty: chart.difficulty,
      mode: i < 5 ? 'Event/Compete' : 'Free',
      ...result,
      cleared: !failed,
      correction_time_us: i < 3 ? -50_000 : -45_000,
      performance: 'AllPerfect',
      simulated: false,
      device: '127.0.0.1:16384',
      ts: now - (n - i) * 260 - 3600,
      level: chart.level,
      note: '',
    })
  }
  return out
}

/** What the mock scriptor needs from the mock backend. */
export interface ScriptorHost {
  config: () => Record<string, unknown>
  /** merges into the module's state fields and publishes a state event */
  fields: (f: ScriptorLive) => void
  log: (message: string, level?: 'debug' | 'info' | 'warning' | 'error') => void
  /** runs `fn` after `ms` (scaled by the mock's tick) unless the job was stopped */
  later: (ms: number, fn: () => void) => void
  record: (play: PlayRecord) => void
  finish: () => void
  clock?: () => number
}

export const CYCLE_MS = 800

interface Step {
  screen: string
  cycles: number
  action: string
  confidence?: number
}

/** Starts the made-up run; it ends by itself only when the config says one play. */
export function runMockScriptor(host: ScriptorHost, seed = Date.now() % 9973): void {
  const rnd = rng(seed)
  const clock = host.clock ?? (() => Date.now() / 1000)
  let cycle = 0
  let plays = 0
  let songIndex = Math.floor(rnd() * MOCK_SONGS.length)
  let stepIndex = 0
  let inStep = 0
  let since = clock()
  let lastAction = ''
  let current: { song: MockSong; difficulty: Difficulty; level: number; notes: number } | null = null

  const song = (): MockSong => MOCK_SONGS[songIndex % MOCK_SONGS.length] as MockSong
  const plan = (): Step[] => {
    const s: Step[] = [
      { screen: 'choose', cycles: 2, action: 'tap (1080,620) on choose' },
      { screen: 'ready', cycles: 1, action: 'tap (1120,600) on ready' },
      { screen: 'playing', cycles: Math.round((song().seconds * 1000) / CYCLE_MS), action: '' },
      { screen: 'award_loading', cycles: 1, action: 'tap (30,360) on award_loading' },
      { screen: 'award', cycles: 2, action: 'tap (1080,640) on award' },
    ]
    // every third song the game shows something unexpected: the ladder backs out of it
    if (plays % 3 === 2) s.push({ screen: 'unknown', cycles: 3, action: 'recovery back', confidence: 0.41 })
    return plays === 0 ? [{ screen: 'main_page', cycles: 2, action: 'tap (1120,640) on main_page' }, ...s] : s
  }
  let steps = plan()
  host.log('scriptor on the simulated game (mock), capture stream')

  const tick = (): void => {
    const cfg = host.config()
    const step = steps[stepIndex] as Step
    cycle++
    if (inStep === 0) {
      since = clock()
      host.log(`screen: ${step.screen} (${(step.confidence ?? 0.97).toFixed(2)})`, 'debug')
    }
    if (step.screen === 'ready' && inStep === 0) {
      const c = chartOf(song(), String(cfg.level ?? 'Expert'))
      current = { song: song(), ...c }
      host.log(`ready: ${current.song.title} (${current.song.id}) ${current.difficulty} lv ${c.level}; matched 0.93, next 0.41 (mock)`)
      host.fields({ song_id: current.song.id, song: current.song.title, difficulty: current.difficulty, in_play: true })
    }
    if (step.screen === 'playing' && inStep === 0) host.log('playing: synchronising with the first note')
    if (step.screen === 'unknown' && inStep === 1) host.log('recovery: back (unknown screen)', 'warning')
    if (!cfg.is_no_action && step.action && inStep === step.cycles - 1) lastAction = step.action
    host.fields({
      screen: step.screen,
      confidence: Number((step.confidence ?? 0.93 + rnd() * 0.069).toFixed(3)),
      cycle,
      time_in_state_s: Number((clock() - since).toFixed(1)),
      last_action: lastAction,
      in_play: current !== null,
    })
    if (step.screen === 'award' && inStep === 0 && current) {
      const mode = String(cfg.mode ?? 'Free')
      const result = mockResult(current.notes, rnd)
      plays++
      host.record({
        wrong_song: false,
        skipped: false,
        song_id: current.song.id,
        title: current.song.title,
        difficulty: current.difficulty,
        mode: mode === 'Event' ? `Event/${String(cfg.event ?? 'Compete')}` : mode,
        ...result,
        cleared: true,
        correction_time_us: Number(cfg.correction_time ?? 0),
        performance: String(cfg.performance ?? 'AllPerfect'),
        simulated: true,
        device: 'emulator-5554',
        ts: clock(),
        level: current.level,
        note: '',
      })
      const counts = Object.entries(result.counts).map(([k, v]) => `${k} ${v}`).join(' ')
      host.log(`play ${plays}: ${current.song.title} cleared: ${counts}`)
      current = null
      host.fields({ plays, in_play: false })
      if (cfg.is_repeat === false || cfg.is_caliboration === true) {
        host.log('one play asked for: done')
        return host.finish()
      }
    }
    inStep++
    if (inStep >= step.cycles) {
      inStep = 0
      stepIndex++
      if (stepIndex >= steps.length) {
        stepIndex = 0
        songIndex++
        steps = plan()
      }
    }
    host.later(CYCLE_MS, tick)
  }
  host.later(100, tick)
}
