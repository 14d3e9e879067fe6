/**
 * The dashboard in a real browser against the real stack: what a person does, end to end.
 * Every test also fails on console errors and uncaught exceptions (expected 409/422
 * responses a test provokes on purpose are declared).
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { field, launch, openDashboard, openModule, screenshot, task, type WatchedPage } from './browser'

const baseURL = inject('baseURL')
let browser: Browser
let watched: WatchedPage
let page: Page

async function api<T>(path: string): Promise<T> {
  const res = await fetch(baseURL + path)
  return (await res.json()) as T
}

const consoleLines = (module: string): string => `.console-panel[data-module="${module}"] [data-role="console-lines"]`

async function waitLine(module: string, text: string): Promise<void> {
  await page.locator(`${consoleLines(module)} .line`, { hasText: text }).first().waitFor()
}

async function waitStatus(taskName: string, status: string): Promise<void> {
  await page.waitForSelector(`${task(taskName)}[data-status="${status}"]`)
}

async function saved(): Promise<void> {
  await page.waitForSelector('.settings .save-status[data-state="saved"]')
}

beforeAll(async () => {
  browser = await launch()
  watched = await openDashboard(browser, baseURL)
  page = watched.page
})

afterEach(() => {
  expect(watched.errors()).toEqual([])
})

afterAll(async () => {
  await browser?.close()
})

describe('dashboard against the real stack', () => {
  it('has one tab per module from /api/modules and a sidebar that remembers being collapsed', async () => {
    const modules = await api<{ name: string; title: string }[]>('/api/modules')
    const links = await page.locator('nav a[data-module]').evaluateAll((els) => els.map((e) => e.getAttribute('data-module')))
    expect(links).toEqual(modules.map((m) => m.name))
    for (const m of modules) {
      await openModule(page, m.name)
      await expect(page.locator('.module-view h2').textContent()).resolves.toBe(m.title)
    }
    await page.click('[data-action="toggle-sidebar"]')
    await page.waitForSelector('nav.app-sidebar[data-state="collapsed"]')
    expect(await page.locator('nav a[data-module] .title').count()).toBe(0) // icons only
    await page.reload()
    await page.waitForSelector('nav.app-sidebar[data-state="collapsed"]')
    await screenshot(page, 'sidebar-collapsed')
    await page.click('[data-action="toggle-sidebar"]')
    await page.waitForSelector('nav.app-sidebar[data-state="expanded"]')
    expect(await page.locator('nav a[data-module] .title').count()).toBe(modules.length)
    await expect(page.locator('[data-role="backend-state"]').getAttribute('data-state')).resolves.toBe('ok')
  })

  it('saves settings as they change and keeps them across a reload', async () => {
    await openModule(page, 'scriptor')
    await page.click(`${field('is_no_action')} [data-scope="toggle"][data-part="root"]`)
    await page.fill(`${field('MAX_SAME_STATE')} input[data-part="input"]`, '250')
    await page.click(`${field('event')} [data-part="item"][data-value="Challenge"]`)
    await page.waitForSelector(field('lobby'), { state: 'detached' }) // lobby only for Tour/Compete/Team
    await page.click(`${field('event')} [data-part="item"][data-value="Tour"]`)
    await page.waitForSelector(field('lobby'))
    await page.click(`${field('protected_state')} summary`)
    await page.click(`${field('protected_state')} [data-part="option"]:text-is("award")`)
    await page.fill(`${field('weights')} [data-part="row"]:first-child [data-part="cell"] >> nth=1`, '0.5')
    await saved()

    const doc = await api<{ config: Record<string, unknown> }>('/api/scriptor/config')
    expect(doc.config).toMatchObject({ is_no_action: true, MAX_SAME_STATE: 250, event: 'Tour', protected_state: ['join_wait', 'ready_done', 'award'] })
    expect((doc.config.weights as unknown[][])[0]).toEqual(['blind', 0.5, 0.3, 0.05, 0.05, 0.15])

    await page.reload()
    await page.waitForSelector(field('MAX_SAME_STATE'))
    await expect(page.getAttribute(`${field('is_no_action')} [data-part="root"]`, 'data-state')).resolves.toBe('on')
    await expect(page.inputValue(`${field('MAX_SAME_STATE')} input[data-part="input"]`)).resolves.toBe('250')
    await expect(page.getAttribute(`${field('event')} [data-part="item"][data-value="Tour"]`, 'aria-checked')).resolves.toBe('true')
    await expect(page.locator(`${field('protected_state')} [data-part="chip"] span`).allTextContents()).resolves.toEqual(['join_wait', 'ready_done', 'award'])
    await expect(page.inputValue(`${field('weights')} [data-part="row"]:first-child [data-part="cell"] >> nth=1`)).resolves.toBe('0.5')
    await expect(page.locator(field('lobby')).count()).resolves.toBe(1)
  })

  it('shows the server message at a rejected field and the song check next to its field', async () => {
    watched.expectStatus(422)
    await openModule(page, 'scriptor')
    await page.fill(`${field('MAX_SAME_STATE')} input[data-part="input"]`, '5')
    const err = page.locator(`${field('MAX_SAME_STATE')} .field-error`)
    await err.waitFor()
    expect(await err.textContent()).toContain('greater than or equal to 10')
    expect((await api<{ config: Record<string, unknown> }>('/api/scriptor/config')).config.MAX_SAME_STATE).toBe(250)
    await page.fill(`${field('MAX_SAME_STATE')} input[data-part="input"]`, '100')
    await err.waitFor({ state: 'detached' })
    await saved()

    // check_song_id answers for the id in the field; an empty library cannot play 655
    const check = page.locator(`${field('play_one_song_id')} .check`)
    await page.waitForSelector(`${field('play_one_song_id')} .check:is([data-state="warning"],[data-state="ok"])`)
    const expected = await api<{ ok: boolean; message: string }>('/api/scriptor/check-song/655')
    expect(await check.getAttribute('data-state')).toBe(expected.ok ? 'ok' : 'warning')
    expect(await check.textContent()).toContain(expected.message)
  })

  it('is keyboard reachable and switches skins without changing behaviour', async () => {
    await openModule(page, 'scriptor')
    await page.focus(`${field('mode')} [data-part="item"][data-state="checked"]`)
    await page.keyboard.press('ArrowRight')
    await expect(page.getAttribute(`${field('mode')} [data-part="item"][data-value="Story"]`, 'aria-checked')).resolves.toBe('true')
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-value'))).resolves.toBe('Story')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('Tab')
    await saved()
    expect((await api<{ config: Record<string, unknown> }>('/api/scriptor/config')).config.mode).toBe('Event')

    await page.selectOption('[data-role="skin-toggle"]', 'icon')
    await page.selectOption('[data-role="skin-radio"]', 'icon')
    await page.waitForSelector(`${field('is_no_action')} [data-scope="toggle"][data-part="icon"]`)
    await page.waitForSelector(`${field('mode')} .skin-icon-radio`)
    await page.click(`${field('is_repeat')} [data-scope="toggle"][data-part="root"]`) // still works
    await saved()
    expect((await api<{ config: Record<string, unknown> }>('/api/scriptor/config')).config.is_repeat).toBe(false)
    await page.reload()
    await page.waitForSelector(`${field('is_no_action')} [data-scope="toggle"][data-part="icon"]`) // remembered
    await screenshot(page, 'scriptor-icon-skins')
    await page.click(`${field('is_repeat')} [data-scope="toggle"][data-part="root"]`)
    await page.selectOption('[data-role="skin-toggle"]', 'classic')
    await page.selectOption('[data-role="skin-radio"]', 'classic')
    await saved()
  })

  it('applies a live setting to the running scriptor and shows the acknowledgement', async () => {
    await openModule(page, 'scriptor')
    await page.click(`${task('start_scriptor')} [data-action="start"]`)
    await waitStatus('start_scriptor', 'running')
    await page.click(`${field('event')} [data-part="item"][data-value="Team"]`)
    await page.waitForSelector(`${field('event')} [data-role="applied-live"]`)
    await waitLine('scriptor', 'applied: event')
    await waitLine('scriptor', 'mode now Event/Team') // the task itself saw it
    expect(await page.locator(`${field('mumu_port')} .tag`).textContent()).toBe('next start')
    await page.click(`${task('start_scriptor')} [data-action="stop"]`)
    await waitStatus('start_scriptor', 'stopped')
  })

  it('refuses a second task in a busy module while another module runs, and answers prompts', async () => {
    watched.expectStatus(409)
    await openModule(page, 'ui_recognition')
    await page.click(`${task('add_img')} [data-action="start"]`)
    const prompt = page.locator('[data-role="prompt"][data-state="open"]')
    await prompt.filter({ hasText: 'ready_001.png' }).waitFor()

    await openModule(page, 'fetch')
    await page.click(`${task('fetch')} [data-action="start"]`)
    await waitStatus('fetch', 'running')
    await waitLine('fetch', 'retrying')

    await openModule(page, 'ui_recognition')
    await page.waitForSelector('nav a[data-module="fetch"][data-status="running"]')
    await page.waitForSelector('nav a[data-module="ui_recognition"][data-status="running"]')
    const trainStart = page.locator(`${task('train_ui_recognition')} [data-action="start"]`)
    expect(await trainStart.isDisabled()).toBe(true)
    expect(await page.locator(`${task('train_ui_recognition')} [data-role="blocked-reason"]`).textContent()).toContain('Add images is running')
    // and the gateway itself refuses it, naming the task that holds the module
    const refused = await page.evaluate(async () => {
      const res = await fetch('/api/ui_recognition/tasks/train_ui_recognition/start', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
      return { status: res.status, body: await res.text() }
    })
    expect(refused.status).toBe(409)
    expect(refused.body).toContain('add_img')
    await screenshot(page, 'ui_recognition')

    // No -> a validated id box; the answer reaches the running task
    await prompt.locator('[data-answer="No"]').click()
    await page.fill('[data-role="prompt-text"]', 'abc')
    expect(await page.locator('[data-answer="send"]').isDisabled()).toBe(true)
    await page.fill('[data-role="prompt-text"]', '22')
    await page.click('[data-answer="send"]')
    await waitLine('ui_recognition', 'saved ready_001.png as ready')
    await prompt.filter({ hasText: 'zz_frame.png' }).waitFor()
    await prompt.locator('[data-answer="Drop"]').click()
    await waitStatus('add_img', 'finished')
    await waitLine('ui_recognition', 'labelled 1, dropped 1')
    expect(await page.locator('[data-role="prompt"][data-state="open"]').count()).toBe(0)

    // the module is free again: training runs and shows its progress
    await trainStart.click()
    await waitStatus('train_ui_recognition', 'finished')
    await expect(page.locator('[data-role="training"] [role="progressbar"]').getAttribute('aria-valuenow')).resolves.toBe('100')
  })

  it('shows a failed task plainly, with its error', async () => {
    await openModule(page, 'song_recognition')
    await page.click(`${task('train_song_recognition')} [data-action="start"]`)
    await waitStatus('train_song_recognition', 'failed')
    const state = await api<{ error: string }>('/api/song_recognition/state')
    expect(state.error).toBeTruthy()
    await expect(page.locator(`${task('train_song_recognition')} [data-role="task-error"]`).textContent()).resolves.toBe(`failed: ${state.error}`)
    await expect(page.locator('nav a[data-module="song_recognition"] .sub').textContent()).resolves.toContain('failed')
    await waitLine('song_recognition', 'train_song_recognition failed')
  })

  it('keeps each console across tab switches and reloads; filters, copies and clears', async () => {
    await openModule(page, 'fetch')
    const warnings = page.locator(`${consoleLines('fetch')} .line[data-level="warning"]`)
    expect(await warnings.count()).toBeGreaterThan(0)
    await page.click('.console-panel[data-module="fetch"] [data-role="level-warning"]')
    expect(await warnings.count()).toBe(0)
    await page.click('.console-panel[data-module="fetch"] [data-role="level-warning"]')
    await screenshot(page, 'fetch')
    await page.click(`${task('fetch')} [data-action="stop"]`)
    await waitStatus('fetch', 'stopped')

    await openModule(page, 'ui_recognition')
    const uiLines = page.locator(`${consoleLines('ui_recognition')} .line`)
    const before = await uiLines.allTextContents()
    expect(before.length).toBeGreaterThan(3)
    await openModule(page, 'fetch')
    await openModule(page, 'ui_recognition')
    expect(await uiLines.allTextContents()).toEqual(before)
    await page.reload()
    await page.waitForSelector(`${consoleLines('ui_recognition')} .line`)
    await expect.poll(() => uiLines.allTextContents(), { timeout: 10_000 }).toEqual(before)
    // the answered prompts come back answered
    expect(await page.locator('[data-role="prompt"][data-state="answered"]').count()).toBeGreaterThanOrEqual(2)

    await page.click('.console-panel[data-module="ui_recognition"] [data-action="copy"]')
    const copied = await page.evaluate(() => navigator.clipboard.readText())
    expect(copied).toContain('saved ready_001.png as ready')

    await openModule(page, 'fetch')
    await page.click('.console-panel[data-module="fetch"] [data-action="clear"]')
    expect(await page.locator(`${consoleLines('fetch')} .line`).count()).toBe(0)
    await page.reload()
    await page.waitForSelector(`${consoleLines('fetch')} .empty`)
    await openModule(page, 'ui_recognition')
    await expect.poll(() => uiLines.count()).toBe(before.length)
  })

  it('shows the live screen of the simulated device on the Scriptor tab', async () => {
    for (const module of ['scriptor']) {
      await openModule(page, module)
      const screen = page.locator('[data-role="device-screen"][data-connected="1"]')
      await screen.locator('img').waitFor()
      expect(await screen.locator('[data-role="device-simulated"]').textContent()).toBe('simulated')
      // the launcher started the simulated game for AUTOBANG_DEVICE=sim
      expect(await screen.locator('[data-role="device-label"]').textContent()).toMatch(/the simulated game · .* · capture raw/)
      const size = await screen.locator('img').evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])
      expect(size).toEqual([640, 360])
    }
  })

  it('saves a screenshot of every tab', async () => {
    const modules = await api<{ name: string }[]>('/api/modules')
    for (const m of modules) {
      await openModule(page, m.name)
      await page.waitForTimeout(200) // let late events paint
      await screenshot(page, `tab-${m.name}`)
    }
  })
})
