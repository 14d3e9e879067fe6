/** Starts the mock backend in the browser (npm run dev:mock). */
import { setupWorker } from 'msw/browser'
import { MockBackend, type ChartSpec, type Frame } from './backend'
import { createHandlers } from './handlers'

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

export async function startMockBackend(): Promise<void> {
  const backend = new MockBackend({ makeFrame, makeChart, storage: localStorage })
  const worker = setupWorker(...createHandlers(backend, location.origin))
  await worker.start({ onUnhandledRequest: 'bypass', quiet: true })
  console.info('[mock] AutoBangDream mock backend running (VITE_MOCK=1)')
}
