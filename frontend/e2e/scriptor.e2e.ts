/**
 * The Scriptor tab in a real browser during a real play on the simulated game: its own
 * stack (`autobang up`, the real scriptor, not the test bodies of the shared stack) with a
 * data dir holding the first seconds of one chart and its title crop
 * (`python -m tests.scriptor.short_play`), and a scenario with short waits
 * (`scriptor-scenario.json`). The user starts the scriptor; the live screen changes, the
 * panel names the screens and the song being played, and the play lands as a history row
 * that says what the gateway's history says.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launch, openDashboard, openModule, screenshot, task, type WatchedPage } from './browser'
import { freePort, waitHealthy } from './stack'

const SONG = 316 // オレンジ, expert, cut to its first seconds
const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = process.env.AUTOBANG_BIN ?? join(root, '.venv', 'bin', 'autobang')
const python = process.env.AUTOBANG_PYTHON ?? join(dirname(bin), 'python')

let proc: ChildProcess
let output = ''
let baseURL = ''
let dataDir = ''
let browser: Browser
let watched: WatchedPage
let page: Page

interface PlayRow {
  song_id: number
  title: string
  difficulty: string
  counts: Record<string, number>
  fast: number
  slow: number
  cleared: boolean
  simulated: boolean
}

async function api<T>(path: string, body?: unknown): Promise<T> {
  const init: RequestInit = body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
  const res = await fetch(baseURL + path, init)
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'autobang-e2e-scriptor-'))
  const prep = spawnSync(python, ['-m', 'tests.scriptor.short_play', dataDir, '--song', String(SONG), '--seconds', '5'], { cwd: root, encoding: 'utf8' })
  if (prep.status !== 0) throw new Error(`short_play failed: ${prep.stderr}`)
  const env = { ...process.env }
  for (const k of Object.keys(env)) if (k.startsWith('AUTOBANG_') && k !== 'AUTOBANG_BIN' && k !== 'AUTOBANG_PYTHON') delete env[k]
  Object.assign(env, {
    AUTOBANG_LOG_LEVEL: 'warning',
    AUTOBANG_DEVICE: `sim:${fileURLToPath(new URL('./scriptor-scenario.json', import.meta.url))}`,
  })
  const port = await freePort()
  proc = spawn(python, ['-m', 'services.cli', 'up', '--port', String(port), '--data-dir', dataDir], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const keep = (b: Buffer): void => {
    output = (output + b.toString()).slice(-20_000)
  }
  proc.stdout?.on('data', keep)
  proc.stderr?.on('data', keep)
  baseURL = `http://127.0.0.1:${port}`
  try {
    await waitHealthy(baseURL, proc, () => output)
  } catch (err) {
    proc.kill('SIGKILL')
    throw err
  }
  // one Free play of the cut chart, then the run ends (is_repeat off)
  await api('/api/scriptor/update_config', { mode: 'Free', level: 'Expert', is_repeat: false, correction_time: 0 })
  browser = await launch()
  watched = await openDashboard(browser, baseURL)
  page = watched.page
})

afterEach(() => {
  expect(watched.errors()).toEqual([])
})

afterAll(async () => {
  await browser?.close()
  if (!proc || proc.exitCode !== null) return
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  proc.kill('SIGINT')
  let timer: ReturnType<typeof setTimeout> | undefined
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 60_000)))])
  clearTimeout(timer)
  if (code === 'timeout') proc.kill('SIGKILL')
  expect(code, output).toBe(0)
  rmSync(dataDir, { recursive: true, force: true })
}, 90_000)

describe('the Scriptor tab during a simulated play', () => {
  it('shows the live screen, the screens and the song, and the play as a history row', async () => {
    await openModule(page, 'scriptor')
    await page.waitForSelector('[data-role="play-history"] [data-role="history-empty"]') // an empty data dir
    await page.waitForSelector('[data-role="device-screen"][data-connected="1"] img')
    await expect(page.locator('[data-role="device-simulated"]').textContent()).resolves.toBe('simulated')
    const before = await page.locator('[data-role="device-screen"] img').screenshot()

    // Every screen the panel shows, as the user would have seen it.
    await page.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { seenScreens: string[] }).seenScreens = seen
      const panel = document.querySelector('[data-role="scriptor-panel"]') as HTMLElement
      const note = (): void => {
        const s = panel.dataset.screen ?? ''
        if (s && seen[seen.length - 1] !== s) seen.push(s)
      }
      new MutationObserver(note).observe(panel, { attributes: true, attributeFilter: ['data-screen'] })
    })

    await page.click(`${task('start_scriptor')} [data-action="start"]`)
    await page.waitForSelector(`${task('start_scriptor')}[data-status="running"]`)
    // While it plays the panel names the song and its difficulty.
    const song = page.locator('[data-role="scriptor-panel"][data-in-play="1"] [data-field="song"]')
    await song.waitFor({ timeout: 120_000 })
    await expect(song.textContent()).resolves.toMatch(new RegExp(`#${SONG}\\s*オレンジ\\s*Expert`))
    await screenshot(page, 'scriptor-playing')

    const row = page.locator(`[data-role="play-row"][data-song-id="${SONG}"]`)
    await row.waitFor({ timeout: 120_000 })
    await page.waitForSelector(`${task('start_scriptor')}[data-status="finished"]`, { timeout: 60_000 })
    await screenshot(page, 'scriptor-played')

    const screens = await page.evaluate(() => (window as unknown as { seenScreens: string[] }).seenScreens)
    // what the scriptor logged, to read when the order below is not what it should be
    const story = `${screens.join(' > ')}\n${(await page.locator('.console-panel[data-module="scriptor"] [data-role="console-lines"]').textContent()) ?? ''}`
    expect(screens, story).toEqual(expect.arrayContaining(['ready', 'playing']))
    // the song is prepared on ready before it plays (a lagging frame once pressed ready's
    // start with song select's confirm: the song then played untouched, unrecorded)
    expect(screens.indexOf('playing'), story).toBeGreaterThan(screens.indexOf('ready'))
    const after = await page.locator('[data-role="device-screen"] img').screenshot()
    expect(after.equals(before)).toBe(false) // the live screen moved on with the game

    // The row says what the gateway's history holds.
    const rows = await api<PlayRow[]>('/api/scriptor/history')
    expect(rows).toHaveLength(1)
    const played = rows[0] as PlayRow
    expect(played).toMatchObject({ song_id: SONG, difficulty: 'expert', simulated: true })
    await expect(page.locator('[data-role="play-row"]').count()).resolves.toBe(1)
    await expect(row.getAttribute('data-result')).resolves.toBe(played.cleared ? (played.counts.perfect === Object.values(played.counts).reduce((a, b) => a + b, 0) ? 'all-perfect' : 'cleared') : 'failed')
    await expect(row.locator('.song .title').textContent()).resolves.toBe(played.title)
    for (const j of ['perfect', 'great', 'good', 'bad', 'miss']) {
      await expect(row.locator(`td[data-judgement="${j}"]`).textContent()).resolves.toBe(String(played.counts[j]))
    }
    await expect(row.locator('td.fs').textContent()).resolves.toBe(`${played.fast}/${played.slow}`)
    await expect(page.locator('[data-role="history-chart"] .bar').count()).resolves.toBe(1)
    await expect(page.locator('[data-role="scriptor-panel"] [data-field="plays"] dd').textContent()).resolves.toBe('1')
  }, 240_000)
})
