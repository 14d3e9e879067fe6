/**
 * Screenshot upload in a real browser against the real stack: the add_song card's file
 * input posts to /api/song_recognition/screenshots, the file lands in the configured
 * folder under the data dir and the card's count goes up; a refused file is named.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launch, openModule, openPage, task, type WatchedPage } from './browser'
import { encodePng, testPixel } from './png'

const baseURL = inject('baseURL')
const dataDir = inject('dataDir')
const FOLDER = 'e2e-uploads' // its own folder: other suites read the default one
let browser: Browser
let watched: WatchedPage
let page: Page
let before = 'screenshots'

async function setFolder(value: string): Promise<string> {
  const res = await fetch(`${baseURL}/api/song_recognition/update_config`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ screenshot_dir: value }),
  })
  expect(res.status).toBe(200)
  return value
}

beforeAll(async () => {
  const doc = (await (await fetch(`${baseURL}/api/song_recognition/config`)).json()) as { config: { screenshot_dir: string } }
  before = doc.config.screenshot_dir
  await setFolder(FOLDER)
  browser = await launch()
  watched = await openPage(browser, baseURL)
  page = watched.page
  await page.goto('/')
  await openModule(page, 'song_recognition')
})

afterEach(() => {
  expect(watched.errors()).toEqual([])
})

afterAll(async () => {
  await browser?.close()
  await setFolder(before)
})

describe('screenshot upload', () => {
  it('uploads a PNG through the file input, counts it, and names a refused file', async () => {
    const card = task('add_song')
    const count = page.locator(`${card} [data-role="screenshot-count"]`)
    await page.waitForSelector(`${card} [data-role="screenshot-count"][data-count="0"]`)
    await expect(count.textContent()).resolves.toContain(FOLDER)
    expect(await page.locator(`${task('train_song_recognition')} .screenshot-upload`).count()).toBe(0)

    const png = encodePng(96, 54, testPixel)
    await page.setInputFiles(`${card} [data-role="file-input"]`, { name: 'my shot.png', mimeType: 'image/png', buffer: png })
    await page.waitForSelector(`${card} [data-role="screenshot-count"][data-count="1"]`)
    await expect(page.locator(`${card} [data-role="stored"]`).textContent()).resolves.toContain('my_shot.png')
    expect(readFileSync(join(dataDir, FOLDER, 'my_shot.png')).equals(png)).toBe(true)

    watched.expectStatus(422)
    await page.setInputFiles(`${card} [data-role="file-input"]`, [
      { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') },
      { name: 'second.png', mimeType: 'image/png', buffer: png },
    ])
    await page.waitForSelector(`${card} [data-role="screenshot-count"][data-count="2"]`)
    const errors = page.locator(`${card} [data-role="upload-errors"] li`)
    await expect(errors.allTextContents()).resolves.toEqual(['notes.png: not a PNG or JPEG image'])
    await expect(page.getAttribute(`${card} .screenshot-upload`, 'data-state')).resolves.toBe('error')
  })
})
