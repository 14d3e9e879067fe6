import { ref, shallowRef } from 'vue'
import { rgbToHsv, type Hsv } from '@/lib/hsv'

export interface Probe {
  x: number
  y: number
  rgb: [number, number, number]
  hsv: Hsv
}

/** Maps a mouse position over a scaled image to the source pixel (exact, clamped). */
export function toPixel(
  clientX: number,
  clientY: number,
  rect: { left: number; top: number; width: number; height: number },
  natural: { width: number; height: number },
): { x: number; y: number } | null {
  if (rect.width <= 0 || rect.height <= 0) return null
  const fx = (clientX - rect.left) / rect.width
  const fy = (clientY - rect.top) / rect.height
  if (fx < 0 || fy < 0 || fx >= 1 || fy >= 1) return null
  return {
    x: Math.min(natural.width - 1, Math.floor(fx * natural.width)),
    y: Math.min(natural.height - 1, Math.floor(fy * natural.height)),
  }
}

/**
 * Pixel probe for a frame: decodes the image once into RGBA (same-origin PNG from the
 * gateway), then every mouse move reads the pixel and its OpenCV HSV locally.
 */
export function usePixelProbe() {
  const pixels = shallowRef<ImageData | null>(null)
  const probe = ref<Probe | null>(null)
  const error = ref('')

  function load(img: HTMLImageElement): void {
    try {
      const canvas = document.createElement('canvas')
      canvas.width = img.naturalWidth
      canvas.height = img.naturalHeight
      const ctx = canvas.getContext('2d', { willReadFrequently: true })
      if (!ctx) throw new Error('no 2d canvas')
      ctx.drawImage(img, 0, 0)
      pixels.value = ctx.getImageData(0, 0, canvas.width, canvas.height)
      error.value = ''
    } catch (err) {
      pixels.value = null
      error.value = err instanceof Error ? err.message : String(err)
    }
  }

  function read(x: number, y: number): Probe | null {
    const data = pixels.value
    if (!data || x < 0 || y < 0 || x >= data.width || y >= data.height) return null
    const i = (y * data.width + x) * 4
    const rgb: [number, number, number] = [data.data[i] ?? 0, data.data[i + 1] ?? 0, data.data[i + 2] ?? 0]
    return { x, y, rgb, hsv: rgbToHsv(...rgb) }
  }

  function move(clientX: number, clientY: number, target: HTMLElement): void {
    const data = pixels.value
    if (!data) return
    const p = toPixel(clientX, clientY, target.getBoundingClientRect(), data)
    probe.value = p ? read(p.x, p.y) : null
  }

  function leave(): void {
    probe.value = null
  }

  /** Keyboard probing: arrows move one pixel (the caller passes 10 with Shift). */
  function moveBy(dx: number, dy: number): void {
    const data = pixels.value
    if (!data) return
    const from = probe.value ?? { x: Math.floor(data.width / 2) - dx, y: Math.floor(data.height / 2) - dy }
    const x = Math.max(0, Math.min(data.width - 1, from.x + dx))
    const y = Math.max(0, Math.min(data.height - 1, from.y + dy))
    probe.value = read(x, y)
  }

  return { pixels, probe, error, load, read, move, moveBy, leave }
}
