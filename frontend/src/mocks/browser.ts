/** Starts the mock backend in the browser (npm run dev:mock). */
import { setupWorker } from 'msw/browser'
import { MockBackend, type Frame } from './backend'
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

export async function startMockBackend(): Promise<void> {
  const backend = new MockBackend({ makeFrame, storage: localStorage })
  const worker = setupWorker(...createHandlers(backend, location.origin))
  await worker.start({ onUnhandledRequest: 'bypass', quiet: true })
  console.info('[mock] AutoBangDream mock backend running (VITE_MOCK=1)')
}
