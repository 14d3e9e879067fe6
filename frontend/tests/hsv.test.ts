import { describe, expect, it } from 'vitest'
import { rgbToHsv } from '@/lib/hsv'

// [r,g,b] -> [h,s,v] as computed by OpenCV 4 (cv2.cvtColor RGB->HSV, uint8) in the project venv
const OPENCV: [number[], number[]][] = [
  [[121, 131, 193], [116, 95, 193]], [[243, 8, 36], [176, 247, 243]], [[210, 242, 63], [35, 189, 242]],
  [[79, 222, 108], [66, 164, 222]], [[69, 211, 65], [59, 176, 211]], [[104, 164, 140], [78, 93, 164]],
  [[21, 7, 221], [122, 247, 221]], [[192, 214, 137], [39, 92, 214]], [[209, 84, 115], [173, 153, 209]],
  [[201, 31, 77], [172, 216, 201]], [[31, 116, 250], [108, 223, 250]], [[34, 98, 103], [92, 171, 103]],
  [[0, 0, 0], [0, 0, 0]], [[255, 255, 255], [0, 0, 255]], [[255, 0, 0], [0, 255, 255]],
  [[0, 255, 0], [60, 255, 255]], [[0, 0, 255], [120, 255, 255]], [[128, 128, 128], [0, 0, 128]],
  [[255, 254, 0], [30, 255, 255]], [[10, 0, 11], [147, 255, 11]], [[1, 0, 0], [0, 255, 1]],
  [[200, 100, 100], [0, 127, 200]],
]

describe('rgbToHsv', () => {
  it.each(OPENCV)('matches OpenCV for rgb %j', (rgb, hsv) => {
    const [r, g, b] = rgb as [number, number, number]
    const out = rgbToHsv(r, g, b)
    expect([out.h, out.s, out.v]).toEqual(hsv)
  })

  it('stays in OpenCV ranges over a colour sweep', () => {
    for (let r = 0; r < 256; r += 15)
      for (let g = 0; g < 256; g += 15)
        for (let b = 0; b < 256; b += 15) {
          const { h, s, v } = rgbToHsv(r, g, b)
          expect(h).toBeGreaterThanOrEqual(0)
          expect(h).toBeLessThanOrEqual(179)
          expect(s).toBeLessThanOrEqual(255)
          expect(v).toBe(Math.max(r, g, b))
        }
  })
})
