/** Starts the mock backend in the browser (npm run dev:mock). */
import { setupWorker } from 'msw/browser'
import type { ScriptorLive } from '@/api/types'
import { MockBackend, type ChartSpec, type Frame } from './backend'
import { createHandlers } from './handlers'
import type { MockNote } from './workflow'

/** A 1280x720 test frame: colour bars, a hue sweep and a moving note-coloured block. */
async function makeFrame(n: number): Promise<Frame | null> {
  const width = 1280
  const height = 720
  const canvas = new OffscreenCanvas(width, height)
  const ctx = canvas.getContext('2d')
  if (!ctx) return null
  const bars = ['#ffffff', '#ffff00', '#00ffff', '#00ff00', '#ff00ff', '#ff0000', '#0000ff', '#202020']
  bars.forEach((c, i) => {
    ctx.fillStyle = c
    ctx.fillRect((i * width) / bars.length, 0, width / bars.length, 360)
  })
  for (let x = 0; x < width; x++) {
    ctx.fillStyle = `hsl(${(x / width) * 360}, 100%, 50%)`
    ctx.fillRect(x, 360, 1, 180)
  }
  ctx.fillStyle = '#101418'
  ctx.fillRect(0, 540, width, 180)
  ctx.fillStyle = '#4f8cff'
  ctx.fillRect(194 + ((n * 40) % 900), 560, 120, 40)
  ctx.fillStyle = '#ffffff'
  ctx.font = '28px sans-serif'
  ctx.fillText(`mock frame ${n}`, 24, 700)
  const rgba = ctx.getImageData(0, 0, width, height).data
  const png = await canvas.convertToBlob({ type: 'image/png' })
  return { width, height, rgba, png }
}

/** A white chart like the tasks' matplotlib ones: the loss per epoch, or the histogram of
 * different-song similarities with the worst known match as a dashed line. */
async function makeChart(spec: ChartSpec): Promise<Frame | null> {
  const width = 600
  const height = 320
  const canvas = new OffscreenCanvas(width, height)
  const ctx = canvas.getContext('2d')
  if (!ctx) return null
  const L = 56
  const R = 16
  const T = 30
  const B = 40
  const w = width - L - R
  const h = height - T - B
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, width, height)
  ctx.strokeStyle = '#333'
  ctx.strokeRect(L, T, w, h)
  ctx.fillStyle = '#222'
  ctx.font = '13px sans-serif'
  if (spec.kind === 'loss_curve') {
    const v = spec.losses
    const top = Math.max(...v, 1e-9)
    ctx.strokeStyle = '#1f77b4'
    ctx.beginPath()
    v.forEach((y, i) => {
      const px = L + (v.length > 1 ? (i / (v.length - 1)) * w : w / 2)
      const py = T + h - (y / top) * h
      if (i) ctx.lineTo(px, py)
      else ctx.moveTo(px, py)
    })
    ctx.stroke()
    ctx.fillText('epoch', L + w / 2 - 18, height - 10)
    ctx.fillText(`loss (max ${top.toFixed(2)})`, L, T - 10)
  } else if (spec.kind === 'fit') {
    // residuals of the refitted curve per point, as the task's plot shows under its fit
    const v = spec.residualsMs
    const top = Math.max(...v.map(Math.abs), 1)
    ctx.strokeStyle = '#999'
    ctx.beginPath()
    ctx.moveTo(L, T + h / 2)
    ctx.lineTo(L + w, T + h / 2)
    ctx.stroke()
    ctx.fillStyle = '#1f77b4'
    v.forEach((r, i) => ctx.fillRect(L + (i / Math.max(1, v.length - 1)) * w - 2, T + h / 2 - (r / top) * (h / 2) - 2, 4, 4))
    ctx.fillStyle = '#222'
    ctx.fillText(`residuals (ms): rms ${spec.rmsMs.toFixed(2)}, max ${top.toFixed(2)}`, L, T - 10)
    ctx.fillText('point', L + w / 2 - 16, height - 10)
  } else {
    const st = spec.stats
    const top = Math.max(...st.counts, 1)
    const x = (s: number): number => L + ((s + 1) / 2) * w
    ctx.fillStyle = '#4a7bd0'
    st.counts.forEach((c, i) => {
      const x0 = x(st.edges[i] ?? 0)
      const x1 = x(st.edges[i + 1] ?? 0)
      ctx.fillRect(x0, T + h - (c / top) * h, Math.max(1, x1 - x0 - 1), (c / top) * h)
    })
    ctx.strokeStyle = '#c0392b'
    ctx.setLineDash([6, 4])
    ctx.beginPath()
    ctx.moveTo(x(st.worst_known), T)
    ctx.lineTo(x(st.worst_known), T + h)
    ctx.stroke()
    ctx.setLineDash([])
    ctx.fillStyle = '#222'
    ctx.fillText(`${st.pairs} pairs: min ${st.min.toFixed(3)}, max ${st.max.toFixed(3)}, gap ${st.gap.toFixed(3)}`, L, T - 10)
    ctx.fillText('-1', L - 6, height - 22)
    ctx.fillText('1', L + w - 4, height - 22)
    ctx.fillText('cosine similarity', L + w / 2 - 50, height - 10)
  }
  const rgba = ctx.getImageData(0, 0, width, height).data
  const png = await canvas.convertToBlob({ type: 'image/png' })
  return { width, height, rgba, png }
}

const LANES = [194, 342, 491, 640, 788, 937, 1085] // shared/playfield.py
const JUDGE_Y = 590

/** The mock device's screen (640x360 JPEG): a sketch of the screen the mock scriptor is
 * on, with the song it plays, so the Scriptor tab's live screen moves with the run. */
async function makeScreen(fields: ScriptorLive, n: number): Promise<Blob | null> {
  const canvas = new OffscreenCanvas(640, 360)
  const ctx = canvas.getContext('2d')
  if (!ctx) return null
  ctx.scale(0.5, 0.5)
  const screen = fields.screen ?? 'main_page'
  const song = fields.song ?? ''
  const difficulty = fields.difficulty?.toUpperCase() ?? ''
  const tint: Record<string, [string, string]> = {
    main_page: ['#1d6f8c', '#0c2838'],
    playmode: ['#3b5aa8', '#141d3a'],
    choose: ['#6b3fa0', '#1d1233'],
    ready: ['#a03f75', '#2a1022'],
    playing: ['#11131c', '#05060a'],
    award_loading: ['#202436', '#0b0d14'],
    award: ['#2a55a8', '#0d1a3a'],
    unknown: ['#4a4a4a', '#1a1a1a'],
  }
  const [top, bottom] = tint[screen] ?? ['#30405a', '#10141c']
  const g = ctx.createLinearGradient(0, 0, 0, 720)
  g.addColorStop(0, top)
  g.addColorStop(1, bottom)
  ctx.fillStyle = g
  ctx.fillRect(0, 0, 1280, 720)
  ctx.fillStyle = '#ffffff'
  ctx.textBaseline = 'middle'
  if (screen === 'playing') {
    ctx.strokeStyle = 'rgb(255 255 255 / 25%)'
    ctx.lineWidth = 2
    for (const x of LANES) {
      ctx.beginPath()
      ctx.moveTo(640 + (x - 640) * 0.45, 180)
      ctx.lineTo(x, JUDGE_Y + 60)
      ctx.stroke()
    }
    ctx.fillStyle = '#ffffff'
    ctx.fillRect(120, JUDGE_Y - 3, 1040, 6)
    for (let i = 0; i < 6; i++) {
      const lane = LANES[(n * 3 + i * 5) % LANES.length] as number
      const t = ((n * 0.37 + i / 6) % 1) ** 1.4
      const y = 180 + t * (JUDGE_Y - 180)
      const x = 640 + (lane - 640) * (0.45 + 0.55 * t)
      ctx.fillStyle = i % 3 === 0 ? '#ff5fb0' : '#4fb8ff'
      ctx.fillRect(x - 50 * (0.5 + t / 2), y - 10, 100 * (0.5 + t / 2), 20)
    }
    ctx.fillStyle = '#9be564'
    ctx.fillRect(960, 30, 240, 20) // the health bar
    ctx.fillStyle = '#ffffff'
    ctx.font = 'bold 30px sans-serif'
    ctx.fillText(song, 40, 60)
  } else if (screen === 'unknown') {
    ctx.fillStyle = '#dddddd'
    ctx.fillRect(340, 220, 600, 260)
    ctx.fillStyle = '#222222'
    ctx.font = 'bold 44px sans-serif'
    ctx.fillText('Something unexpected', 400, 320)
    ctx.font = '28px sans-serif'
    ctx.fillText('(a screen the scriptor does not know)', 400, 390)
  } else {
    ctx.font = 'bold 64px sans-serif'
    ctx.fillText(screen.replace(/_/g, ' ').toUpperCase(), 60, 110)
    if (song && (screen === 'ready' || screen.startsWith('award'))) {
      ctx.font = 'bold 56px sans-serif'
      ctx.fillText(song, 60, 330)
      ctx.font = '32px sans-serif'
      ctx.fillText(difficulty, 60, 410)
    }
    if (screen === 'award') {
      ctx.fillStyle = '#ffcf40'
      ctx.font = 'bold 60px sans-serif'
      ctx.fillText('SCORE REWARD', 700, 560)
    }
    if (screen === 'choose') {
      for (let i = 0; i < 4; i++) {
        ctx.fillStyle = i === 1 ? 'rgb(255 255 255 / 35%)' : 'rgb(255 255 255 / 12%)'
        ctx.fillRect(60, 220 + i * 110, 560, 90)
      }
    }
    ctx.fillStyle = '#ff3d7f'
    ctx.fillRect(1000, 600, 220, 70)
    ctx.fillStyle = '#ffffff'
    ctx.font = 'bold 32px sans-serif'
    ctx.fillText(screen === 'ready' ? 'START' : 'OK', 1060, 636)
  }
  ctx.fillStyle = 'rgb(255 255 255 / 60%)'
  ctx.font = '22px sans-serif'
  ctx.fillText(`mock device · frame ${n}`, 40, 690)
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 })
}

const NOTE_RGB: Record<string, string> = { tap: '#a37cf0', long: '#6cf0c0', flick: '#f06cc8', skill: '#f0d84a' }
const BOX_RGB: Record<string, string> = { tap: 'rgb(0,200,255)', long: 'rgb(0,255,0)', flick: 'rgb(255,0,255)', skill: 'rgb(255,255,0)' }

/** The overlay the real task draws (services/workflow/overlay.py): the track, each note
 * tinted and boxed with its kind and depth. */
async function makeOverlay(notes: MockNote[]): Promise<Frame | null> {
  const width = 1280
  const height = 720
  const canvas = new OffscreenCanvas(width, height)
  const ctx = canvas.getContext('2d')
  if (!ctx) return null
  ctx.fillStyle = '#13172b'
  ctx.fillRect(0, 0, width, height)
  ctx.fillStyle = '#1c2038'
  ctx.fillRect(120, 180, 1040, 450)
  ctx.strokeStyle = '#c8c8c8'
  ctx.strokeRect(120, 180, 1040, 450)
  ctx.strokeStyle = '#ffffff'
  ctx.beginPath()
  ctx.moveTo(120, 590)
  ctx.lineTo(1160, 590)
  ctx.stroke()
  ctx.font = '16px sans-serif'
  ctx.lineWidth = 2
  for (const n of notes) {
    const [x, y, w, h] = n.box
    ctx.fillStyle = NOTE_RGB[n.kind] ?? '#ccc'
    ctx.fillRect(x, y, w, h)
    ctx.strokeStyle = BOX_RGB[n.kind] ?? '#fff'
    ctx.strokeRect(x - 2, y - 2, w + 4, h + 4)
    ctx.fillStyle = BOX_RGB[n.kind] ?? '#fff'
    ctx.fillText(`${n.kind} ${n.depth.toFixed(3)}`, x, Math.max(y - 6, 12))
  }
  const rgba = ctx.getImageData(0, 0, width, height).data
  const png = await canvas.convertToBlob({ type: 'image/png' })
  return { width, height, rgba, png }
}

export async function startMockBackend(): Promise<void> {
  const backend = new MockBackend({ makeFrame, makeChart, makeOverlay, makeScreen, storage: localStorage })
  const worker = setupWorker(...createHandlers(backend, location.origin))
  await worker.start({ onUnhandledRequest: 'bypass', quiet: true })
  console.info('[mock] AutoBangDream mock backend running (VITE_MOCK=1)')
}
