/**
 * Global setup: starts the real stack with the project's launcher on a free port with an
 * empty temp data dir (plus two test screenshots), waits for /healthz with every worker
 * alive, and at the end stops it with SIGINT (Ctrl-C) and checks it exited. The launcher is
 * `autobang up`'s test twin (`python -m tests.launcher`): scriptor and ui_recognition run
 * the test bodies of tests/bodies.py; fetch, song_recognition and workflow their real ones
 * (the workflow on the simulated game, AUTOBANG_TEST_REAL_BODIES).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { encodePng, testPixel } from './png'

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string
    dataDir: string
  }
}

const frontend = fileURLToPath(new URL('..', import.meta.url))

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

export async function waitHealthy(url: string, proc: ChildProcess, log: () => string, timeoutMs = 90_000): Promise<void> {
  const start = Date.now()
  let last = ''
  while (Date.now() - start < timeoutMs) {
    if (proc.exitCode !== null) throw new Error(`autobang up exited with ${proc.exitCode}:\n${log()}`)
    try {
      const res = await fetch(`${url}/healthz`)
      const body = (await res.json()) as { ok: boolean; workers: Record<string, boolean> }
      last = JSON.stringify(body)
      if (body.ok && Object.values(body.workers).every(Boolean)) return
    } catch (err) {
      last = String(err)
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`stack not healthy after ${timeoutMs} ms (${last}):\n${log()}`)
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(join(frontend, 'dist', 'index.html'))) throw new Error('frontend/dist is missing: run `npm run build` first')
  const bin = process.env.AUTOBANG_BIN ?? join(frontend, '..', '.venv', 'bin', 'autobang')
  // the python next to the launcher (the venv), as scripts/api-gen.mjs finds it
  const python = process.env.AUTOBANG_PYTHON ?? join(dirname(bin), 'python')
  const port = await freePort()
  // a closed port: the fetch task retries Bestdori with backoff (and logs it) until stopped
  const deadPort = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'autobang-e2e-'))
  const png = encodePng(1280, 720, testPixel)
  // the same picture twice: add_img labels them (from its default screenshot_dir)
  const inbox = join(dataDir, 'ui_recognition', 'inbox')
  mkdirSync(inbox, { recursive: true })
  writeFileSync(join(inbox, 'ready_001.png'), png)
  writeFileSync(join(inbox, 'zz_frame.png'), png)

  const env = { ...process.env }
  delete env.AUTOBANG_REDIS_URL // the launcher starts its own redis-server
  Object.assign(env, {
    AUTOBANG_BESTDORI_URL: `http://127.0.0.1:${deadPort}`,
    AUTOBANG_BESTDORI_RETRIES: '14',
    AUTOBANG_BESTDORI_BACKOFF_S: '0.05',
    AUTOBANG_LOG_LEVEL: 'warning',
    // No emulator here: the launcher starts the simulated game (without its demo songs).
    AUTOBANG_DEVICE: `sim:${join(frontend, '..', 'tests', 'sim-scenario.json')}`,
    // the real workflow task on the simulated game (its browser tests: e2e/workflow.e2e.ts)
    AUTOBANG_TEST_REAL_BODIES: 'workflow',
  })
  const proc = spawn(python, ['-m', 'tests.launcher', '--port', String(port), '--data-dir', dataDir], {
    cwd: join(frontend, '..'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (b: Buffer): void => {
    output = (output + b.toString()).slice(-20_000)
  }
  proc.stdout?.on('data', keep)
  proc.stderr?.on('data', keep)
  const baseURL = `http://127.0.0.1:${port}`
  try {
    await waitHealthy(baseURL, proc, () => output)
  } catch (err) {
    proc.kill('SIGKILL')
    throw err
  }
  project.provide('baseURL', baseURL)
  project.provide('dataDir', dataDir)

  return async () => {
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
    const t0 = Date.now()
    proc.kill('SIGINT')
    let timer: ReturnType<typeof setTimeout> | undefined
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 60_000)))])
    clearTimeout(timer)
    if (code === 'timeout') {
      proc.kill('SIGKILL')
      throw new Error(`autobang up did not exit within 60 s of SIGINT:\n${output}`)
    }
    if (code !== 0) throw new Error(`autobang up exited with ${code} after SIGINT:\n${output}`)
    console.log(`[e2e] stack stopped by SIGINT in ${Date.now() - t0} ms (exit 0)`)
    rmSync(dataDir, { recursive: true, force: true })
  }
}
