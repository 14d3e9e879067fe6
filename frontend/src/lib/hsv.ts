/**
 * RGB -> HSV exactly as OpenCV's `cvtColor(..., COLOR_RGB2HSV)` does for 8-bit images
 * (H 0..179, S and V 0..255), including its fixed-point rounding, so a value read in the
 * browser matches what the backend's HSV masks (shared/playfield.py; docs/domain.md section 8) see.
 */
const HSV_SHIFT = 12
const sdiv: number[] = [0]
const hdiv: number[] = [0]
for (let i = 1; i < 256; i++) {
  sdiv[i] = Math.round((255 << HSV_SHIFT) / i)
  hdiv[i] = Math.round((180 << HSV_SHIFT) / (6 * i))
}

export interface Hsv {
  h: number
  s: number
  v: number
}

export function rgbToHsv(r: number, g: number, b: number): Hsv {
  const v = Math.max(r, g, b)
  const vmin = Math.min(r, g, b)
  const diff = v - vmin
  const s = (diff * (sdiv[v] ?? 0) + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT
  let h: number
  if (v === r) h = g - b
  else if (v === g) h = b - r + 2 * diff
  else h = r - g + 4 * diff
  h = (h * (hdiv[diff] ?? 0) + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT
  if (h < 0) h += 180
  return { h, s, v }
}
