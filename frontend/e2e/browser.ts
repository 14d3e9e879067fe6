/** Chromium via playwright-core (Debian's binary; no browser downloads) and page helpers. */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core'

export const SCREENSHOTS = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url))

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export interface WatchedPage {
  page: Page
  /** console errors and uncaught exceptions seen so far, minus the expected HTTP statuses */
  errors: () => string[]
  /** HTTP statuses a test provokes on purpose (e.g. 422, 409): their resource errors are expected */
  expectStatus: (...statuses: number[]) => void
}

export async function openPage(browser: Browser, baseURL: string): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, baseURL })
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL })
  const page = await context.newPage()
  const seen: string[] = []
  const expected = new Set<number>()
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() !== 'error') return
    const status = /status of (\d{3})/.exec(msg.text())
    if (status && expected.has(Number(status[1]))) return
    seen.push(`console: ${msg.text()} @ ${msg.location().url}`)
  })
  page.on('pageerror', (err) => seen.push(`page error: ${err.message}`))
  return { page, errors: () => [...seen], expectStatus: (...s) => s.forEach((x) => expected.add(x)) }
}

/** A watched page on the dashboard's start page, its sidebar drawn. */
export async function openDashboard(browser: Browser, baseURL: string): Promise<WatchedPage> {
  const watched = await openPage(browser, baseURL)
  await watched.page.goto('/')
  await watched.page.waitForSelector('nav a[data-module]')
  return watched
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.waitForSelector('[data-role="backend-state"][data-state="ok"]')
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) })
}

/** Opens a module's tab through the sidebar (the way a person does). */
export async function openModule(page: Page, module: string): Promise<void> {
  await page.click(`nav a[data-module="${module}"]`)
  await page.waitForSelector(`.module-view[data-module="${module}"]`)
}

export function field(name: string): string {
  return `.config-field[data-field="${name}"]`
}

export function task(name: string): string {
  return `.task-card[data-task="${name}"]`
}
