/**
 * The page layout at a laptop's 1280x800 against the real stack: the document is exactly
 * the viewport (nothing hidden makes it taller), so the wheel over the sidebar moves
 * nothing, and after a training run (image, progress chart and console share the right
 * column) the console keeps a usable height.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launch, openModule, openPage, type WatchedPage } from './browser'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
// Forty training steps of progress with a falling loss, then the loss curve and the
// similarity histogram (with its numbers) that end a training run.
const PUBLISH_TRAINING = `
import sys, time
from shared import keys
from shared.event_schema import EventType
from shared.runtime.connection import connect
from shared.runtime.images import publish_image
from shared.runtime.publish import publish
from services.recognition.song.tasks import _loss_png
r = connect(sys.argv[1])
m, t = "song_recognition", "train_song_recognition"
losses = [4.0 / (1 + 0.3 * i) for i in range(40)]
for i, loss in enumerate(losses, 1):
    publish(r, m, EventType.progress, {"task": t, "job_id": "layout", "done": i, "total": 40,
            "message": "epoch 1/1", "metrics": {"loss": loss, "lr": 0.01}})
meta = {"min": 0.12, "max": 0.91, "mean": 0.43, "worst_known": 0.95, "best_different": 0.91,
        "gap": 0.04, "pairs": 2048, "known_queries": 40, "songs": 40}
for kind, extra in (("loss_curve", {}), ("similarity_histogram", meta)):  # as training ends
    r.set(keys.image_key(m, kind), _loss_png(losses))
    publish_image(r, m, {"kind": kind, "url": f"/api/{m}/images/{kind}?v={time.time_ns()}",
                  "width": 500, "height": 260, "meta": extra})
`
const baseURL = inject('baseURL')
const dataDir = inject('dataDir')
const VIEWPORT = { width: 1280, height: 800 }
// Room for about eight log lines: less is the "sliver" this spec guards against.
const USABLE_LINES_PX = 120
let browser: Browser
let watched: WatchedPage
let page: Page

beforeAll(async () => {
  browser = await launch()
  watched = await openPage(browser, baseURL)
  page = watched.page
  await page.setViewportSize(VIEWPORT)
  await page.goto('/')
  await page.waitForSelector('nav a[data-module]')
})

afterEach(() => {
  expect(watched.errors()).toEqual([])
})

afterAll(async () => {
  await browser?.close()
})

const pageMetrics = (): Promise<{ scrollHeight: number; innerHeight: number; scrollY: number }> =>
  page.evaluate(() => ({
    scrollHeight: document.documentElement.scrollHeight,
    innerHeight: window.innerHeight,
    scrollY: window.scrollY,
  }))

describe('layout at 1280x800', () => {
  it('keeps every module page to the viewport; the wheel over the sidebar does not move it', async () => {
    const modules = (await (await fetch(`${baseURL}/api/modules`)).json()) as { name: string }[]
    for (const m of modules) {
      await openModule(page, m.name)
      const got = await pageMetrics()
      expect({ module: m.name, height: got.scrollHeight }).toEqual({ module: m.name, height: VIEWPORT.height })
    }
    await openModule(page, 'scriptor')
    await page.waitForSelector('.tuple-editor, [data-field="weights"]')
    const nav = await page.locator('nav').first().boundingBox()
    expect(nav).not.toBeNull()
    await page.mouse.move(nav!.x + nav!.width / 2, nav!.y + nav!.height - 40)
    await page.mouse.wheel(0, 1200)
    await page.waitForTimeout(300) // let a (smooth) scroll land, if one started
    expect((await pageMetrics()).scrollY).toBe(0)
  })

  it('leaves the console a usable height after a training run', async () => {
    // What a training run leaves on the right column: a loss curve picture, a progress
    // chart with a loss line and the console. Published into the stack's Redis with the
    // runtime's own functions (the same events train_song_recognition sends; a real run
    // takes minutes on a shared CPU, and the layout is what is tested here).
    await openModule(page, 'song_recognition')
    const run = JSON.parse(readFileSync(join(dataDir, 'run', 'launcher.json'), 'utf8')) as { redis_url: string }
    const python = join(ROOT, '.venv', 'bin', 'python')
    const out = spawnSync(python, ['-c', PUBLISH_TRAINING, run.redis_url], { cwd: ROOT, encoding: 'utf8' })
    expect(out.status, out.stderr).toBe(0)
    await page.waitForSelector('[data-role="training"] svg.chart')
    await page.waitForSelector('[data-role="chart-image"][data-kind="similarity_histogram"][data-state="ready"]')
    const lines = await page.locator('.console-panel[data-module="song_recognition"] [data-role="console-lines"]').boundingBox()
    expect(lines).not.toBeNull()
    expect(lines!.height).toBeGreaterThanOrEqual(USABLE_LINES_PX)
    // and the console is on screen, not pushed below the fold of its column
    expect(lines!.y + USABLE_LINES_PX).toBeLessThanOrEqual(VIEWPORT.height)
    expect((await pageMetrics()).scrollHeight).toBe(VIEWPORT.height)
  })
})
