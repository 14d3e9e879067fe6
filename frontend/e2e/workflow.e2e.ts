/**
 * The Workflow tab in a real browser against the real stack, the workflow task running its
 * real body on the simulated game (AUTOBANG_DEVICE=sim): live frames reach the browser and
 * change, the probe reads the pixel the gateway serves, Save frame writes the frame shown,
 * the walk-through browses the saved frames (next / previous / jump / label), the
 * WalkThroughSheet overlay marks the notes the simulator's playfield drew, and a trace
 * with no song says so while the last fit is saved from the dashboard.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { field, launch, openDashboard, openModule, screenshot, task, type WatchedPage } from './browser'

const baseURL = inject('baseURL')
const dataDir = inject('dataDir')
const root = fileURLToPath(new URL('../..', import.meta.url))
const python = process.env.AUTOBANG_PYTHON ?? join(dirname(process.env.AUTOBANG_BIN ?? join(root, '.venv', 'bin', 'autobang')), 'python')
const FRAME_W = 1280
const FRAME_H = 720

let browser: Browser
let watched: WatchedPage
let page: Page
/** the frame saved by the Capture test, by name */
let savedName = ''

async function api<T>(path: string): Promise<T> {
  const res = await fetch(baseURL + path)
  expect(res.status, `${path}: ${res.status}`).toBe(200)
  return (await res.json()) as T
}

async function waitStatus(status: string): Promise<void> {
  await page.waitForSelector(`${task('workflow')}[data-status="${status}"]`)
}

/** Sets workflow settings through the form, as a person does, and waits for the save. */
async function choose(name: string, value: string): Promise<void> {
  await page.click(`${field(name)} [data-part="item"][data-value="${value}"]`)
  await page.waitForSelector(`${field(name)} [data-part="item"][data-value="${value}"][aria-checked="true"]`)
  await page.waitForSelector('.settings .save-status[data-state="saved"]')
}

/** Where frame pixel (x, y) is on the page (the centre of its scaled square). */
async function clientOf(x: number, y: number): Promise<{ cx: number; cy: number; box: { x: number; y: number; width: number; height: number } }> {
  const box = await page.locator('[data-role="frame"]').boundingBox()
  if (!box) throw new Error('frame not visible')
  return { cx: box.x + ((x + 0.5) * box.width) / FRAME_W, cy: box.y + ((y + 0.5) * box.height) / FRAME_H, box }
}

async function readProbe(): Promise<{ x: number; y: number; hsv: string; rgb: string }> {
  const xy = page.locator('[data-role="probe-xy"]')
  await xy.waitFor()
  const [, px, py] = /x (\d+) y (\d+)/.exec((await xy.textContent()) ?? '') ?? []
  return {
    x: Number(px),
    y: Number(py),
    hsv: (await page.locator('[data-role="probe-hsv"]').textContent()) ?? '',
    rgb: (await page.locator('.image-probe .rgb').textContent()) ?? '',
  }
}

/** Probes frame pixel (x, y) exactly: the mouse to about there (a scaled frame has
 * several pixels per screen pixel), then the arrow keys to the pixel itself. */
async function probeExact(x: number, y: number): Promise<{ x: number; y: number; hsv: string; rgb: string }> {
  const { cx, cy } = await clientOf(x, y)
  await page.mouse.move(cx, cy)
  const near = await readProbe()
  expect(Math.abs(near.x - x) + Math.abs(near.y - y)).toBeLessThanOrEqual(8)
  await page.focus('[data-role="frame-stage"]')
  for (let i = 0; i < Math.abs(x - near.x); i++) await page.keyboard.press(x > near.x ? 'ArrowRight' : 'ArrowLeft')
  for (let i = 0; i < Math.abs(y - near.y); i++) await page.keyboard.press(y > near.y ? 'ArrowDown' : 'ArrowUp')
  await page.waitForSelector(`[data-role="probe-xy"]:text-is("x ${x} y ${y}")`)
  return readProbe()
}

interface Color {
  bgr: [number, number, number]
  hsv: [number, number, number]
}
const hsvText = (c: Color): string => `H ${c.hsv[0]} S ${c.hsv[1]} V ${c.hsv[2]}`
const rgbText = (c: Color): string => `RGB ${[...c.bgr].reverse().join(', ')}`

beforeAll(async () => {
  browser = await launch()
  watched = await openDashboard(browser, baseURL)
  page = watched.page
  await openModule(page, 'workflow')
  // saved frames go to the workflow's own folder: the ui_recognition suite reads the inbox
  await choose('frame_folder', 'records')
})

afterEach(() => {
  expect(watched.errors()).toEqual([])
})

afterAll(async () => {
  await browser?.close()
})

describe('the Workflow tab on the simulated game', () => {
  it('Capture: live frames with rate and backend, the exact probe, and Save frame', async () => {
    await choose('workflow_mode', 'Capture')
    await page.waitForSelector('[data-role="workflow-panel"][data-section="capture"][data-running="0"]')
    await page.click(`${task('workflow')} [data-action="start"]`)
    await waitStatus('running')
    await page.waitForSelector('[data-role="image-probe"][data-state="ready"]')

    // frames reach the browser and keep coming: the picture is replaced by newer ones
    const img = page.locator('[data-role="frame"]')
    const first = await img.getAttribute('src')
    await page.waitForFunction((src) => document.querySelector('[data-role="frame"]')?.getAttribute('src') !== src, first)
    expect(await img.evaluate((el: HTMLImageElement) => [el.naturalWidth, el.naturalHeight])).toEqual([FRAME_W, FRAME_H])
    const state = await api<{ fields: { fps: number; capture: string } }>('/api/workflow/state')
    await expect(page.locator('[data-role="capture-backend"]').textContent()).resolves.toBe(state.fields.capture)
    await expect(page.locator('[data-role="capture-fps"]').textContent()).resolves.toMatch(/^\d+(\.\d+)? fps$/)
    await expect(page.locator('[data-role="capture-source"]').textContent()).resolves.toContain('simulated')

    // the probe: the pixel under the mouse, exactly, with the HSV the backend computes from
    // the frame the gateway serves (the simulated game's main page stands still)
    const { cx, cy, box } = await clientOf(803, 291)
    expect(box.width / box.height).toBeCloseTo(FRAME_W / FRAME_H, 2) // scaled, not distorted
    const mx = Math.round(cx)
    const my = Math.round(cy)
    await page.mouse.move(mx, my)
    const p = await readProbe()
    expect([p.x, p.y]).toEqual([Math.floor(((mx - box.x) * FRAME_W) / box.width), Math.floor(((my - box.y) * FRAME_H) / box.height)])
    const color = await api<Color>(`/api/workflow/color?x=${p.x}&y=${p.y}`)
    expect(p.hsv).toBe(hsvText(color))
    expect(p.rgb).toBe(rgbText(color))
    // arrow keys move it one pixel
    await page.focus('[data-role="frame-stage"]')
    await page.keyboard.press('ArrowRight')
    await expect(page.locator('[data-role="probe-xy"]').textContent()).resolves.toBe(`x ${p.x + 1} y ${p.y}`)
    const right = await api<Color>(`/api/workflow/color?x=${p.x + 1}&y=${p.y}`)
    await expect(page.locator('[data-role="probe-hsv"]').textContent()).resolves.toBe(hsvText(right))
    await expect(page.locator('.image-probe .rgb').textContent()).resolves.toBe(rgbText(right))

    // Enlarge shows the frame over the window
    await page.click('[data-action="enlarge"]')
    const big = await page.locator('[data-role="frame"]').boundingBox()
    expect(big?.width ?? 0).toBeGreaterThan(box.width)
    await screenshot(page, 'workflow-enlarged')
    await page.click('[data-action="enlarge"]')

    // Save frame: the frame shown lands in the frame folder, named by time and state
    await page.fill('[data-role="save-state"]', 'main_page')
    await page.click('[data-action="save-frame"]')
    const result = page.locator('[data-role="save-result"][data-state="done"]')
    await result.waitFor()
    const [, path] = /^saved (workflow\/records\/\d{8}-\d{6}-\d{3}_main_page\.png)$/.exec((await result.textContent()) ?? '') ?? []
    expect(path).toBeTruthy()
    expect(existsSync(join(dataDir, path as string))).toBe(true)
    savedName = (path as string).split('/').pop() as string
    await screenshot(page, 'workflow-capture')

    await page.click(`${task('workflow')} [data-action="stop"]`)
    await waitStatus('stopped')
  })

  it('WalkThroughSheet: the saved frame is there, and the overlay marks the notes drawn', async () => {
    expect(savedName).toBeTruthy()
    // a frame of a song, drawn by the simulator's playfield with four notes at known
    // places, as Record would have saved it (named to sort after the captured frame)
    const out = join(dataDir, 'workflow', 'records', '20991231-235959-000_playing.png')
    const drawn = JSON.parse(execFileSync(python, ['-m', 'tests.workflow.playing_frame', out], { cwd: root }).toString()) as {
      kind: string
      x: number
      y: number
      hsv: [number, number, number]
    }[]
    expect(drawn).toHaveLength(4)

    await choose('workflow_mode', 'WalkThroughSheet')
    await page.click(`${task('workflow')} [data-action="start"]`)
    await waitStatus('running')
    const walk = (index: number, total: number) => `[data-role="walk"][data-index="${index}"][data-total="${total}"]`
    await page.waitForSelector(walk(1, 2))
    // the frame saved in Capture is the walk-through's first, and in its list
    await expect(page.locator('[data-role="walk-file"]').textContent()).resolves.toBe(savedName)
    await expect(page.locator('[data-role="saved-frames"] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-file')))).resolves.toEqual([
      savedName,
      '20991231-235959-000_playing.png',
    ])
    await page.waitForSelector('[data-role="note-marks"][data-count="0"]') // the launcher has no notes

    await page.click('[data-action="next"]:not([disabled])')
    await page.waitForSelector(walk(2, 2))
    await page.waitForSelector('[data-role="note-marks"][data-count="4"]')
    await page.waitForSelector('[data-role="image-panel"][data-kind="overlay"] [data-role="image-probe"][data-state="ready"]')
    const marks = await page.locator('[data-role="note-mark"]').evaluateAll((els) =>
      els.map((e) => ({ kind: e.getAttribute('data-kind') ?? '', box: (e.getAttribute('data-box') ?? '').split(',').map(Number) })),
    )
    // one box per note drawn, of its kind, on it
    expect(marks.map((m) => m.kind).sort()).toEqual(drawn.map((d) => d.kind).sort())
    for (const d of drawn) {
      const m = marks.find((k) => k.kind === d.kind)
      const [x = 0, y = 0, w = 0, h = 0] = m?.box ?? []
      expect(d.x >= x && d.x <= x + w && d.y >= y && d.y <= y + h, `${d.kind} at ${d.x},${d.y} in box ${m?.box.join(',')}`).toBe(true)
    }
    await screenshot(page, 'workflow-sheet')

    // the probe on the frame itself reads a note's colour as the detector sees it
    await page.click('[data-role="image-kinds"] [data-kind="frame"]')
    await page.waitForSelector('[data-role="image-panel"][data-kind="frame"] [data-role="image-probe"][data-state="ready"]')
    const tap = drawn.find((d) => d.kind === 'tap')
    if (!tap) throw new Error('no tap note drawn')
    const p = await probeExact(tap.x, tap.y)
    expect(p.hsv).toBe(`H ${tap.hsv[0]} S ${tap.hsv[1]} V ${tap.hsv[2]}`)

    // previous and jump move through the frames; label moves the frame into the UI dataset
    await page.click('[data-action="previous"]:not([disabled])')
    await page.waitForSelector(walk(1, 2))
    await page.fill('[data-role="jump-to"]', '3')
    expect(await page.locator('[data-action="jump"]').isDisabled()).toBe(true) // only 1..2
    await page.fill('[data-role="jump-to"]', '2')
    await page.click('[data-action="jump"]:not([disabled])')
    await page.waitForSelector(walk(2, 2))
    await page.selectOption('[data-role="label-state"]', 'playing')
    await page.click('[data-action="label"]:not([disabled])')
    await page.waitForSelector(walk(1, 1))
    expect(existsSync(join(dataDir, 'ui_recognition', 'imgs', 'playing', '20991231-235959-000_playing.png'))).toBe(true)
    expect(existsSync(out)).toBe(false)
    await page.waitForSelector('[data-role="saved-frames"] li >> nth=0')
    expect(await page.locator('[data-role="saved-frames"] li').count()).toBe(1)

    await page.click(`${task('workflow')} [data-action="stop"]`)
    await waitStatus('stopped')
    await choose('workflow_mode', 'Capture')
  })

  it('a trace with no song says so; the last fit is shown and saved as the next version', async () => {
    // the simulated game here sits on its main page: nothing to trace
    await choose('workflow_mode', 'TraceFirstNote')
    await page.fill(`${field('trace_duration_s')} input[data-part="input"]`, '1')
    await page.waitForSelector('.settings .save-status[data-state="saved"]')
    await page.waitForSelector('[data-role="trace"] .empty')
    // a fit as TraceNote leaves it (from the shipped trace), not saved yet
    const coefficients = JSON.parse(execFileSync(python, ['-m', 'tests.workflow.shipped_fit', dataDir], { cwd: root }).toString()) as number[]
    await page.click(`${task('workflow')} [data-action="start"]`)
    await waitStatus('failed')
    await expect(page.locator(`${task('workflow')} [data-role="task-error"]`).textContent()).resolves.toBe(
      'failed: TraceFirstNote: no note seen in 1 s: start a song and trace again',
    )
    const fit = page.locator('[data-role="fit"]')
    await fit.waitFor()
    await expect(fit.textContent()).resolves.toContain('shared/data/trace_note.json (TraceNote)')
    expect(await fit.getAttribute('data-saved-as')).toBeNull()

    await page.click('[data-action="save-fit"]:not([disabled])')
    await page.waitForSelector('[data-role="fit"][data-saved-as="v3"]')
    await expect(page.locator('[data-role="fit-result"][data-state="done"]').textContent()).resolves.toContain('saved as v3 (workflow/coefficients/v3.json)')
    const saved = JSON.parse(readFileSync(join(dataDir, 'workflow', 'coefficients', 'v3.json'), 'utf8')) as { coefficients: number[]; version: string }
    expect(saved).toMatchObject({ version: 'v3', coefficients })
    expect(await page.locator('[data-action="save-fit"]').isDisabled()).toBe(true) // saved once

    await page.fill(`${field('trace_duration_s')} input[data-part="input"]`, '20')
    await choose('workflow_mode', 'Capture')
  })
})
