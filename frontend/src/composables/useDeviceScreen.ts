import { onScopeDispose, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { DeviceStatus } from '@/api/types'

/** Where the screen comes from: the gateway's shared, rate-limited JPEG. */
export const SCREEN_PATH = '/api/device/screen'

export interface ScreenFetchers {
  status: () => Promise<DeviceStatus>
  /** One frame as JPEG; rejects with the server's words when the device does not answer. */
  frame: (width: number) => Promise<Blob>
}

async function fetchFrame(width: number, device = ''): Promise<Blob> {
  const which = device ? `&device=${encodeURIComponent(device)}` : ''
  const res = await fetch(`${SCREEN_PATH}?width=${width}${which}`, { headers: { Accept: 'image/jpeg' } })
  if (!res.ok) {
    let detail = `${res.status} ${res.statusText}`
    try {
      const body: unknown = await res.json()
      if (body && typeof body === 'object' && 'detail' in body) detail = String((body as { detail: unknown }).detail)
    } catch {
      // not JSON: keep the status line
    }
    throw new Error(detail)
  }
  return res.blob()
}

/** The gateway's fetchers for the device ``device`` of the device list ('' the first). */
export const httpFetchers = (status: () => Promise<DeviceStatus>, device = ''): ScreenFetchers => ({
  status,
  frame: (width) => fetchFrame(width, device),
})

/**
 * The device's live screen, throttled: one frame request in flight at a time, the next one
 * `intervalMs` after the last answer; while the device cannot be reached, only its status
 * is asked again every `retryMs` (the error and hint shown instead of a picture). Frames
 * become object URLs, revoked when replaced or when the scope ends.
 */
export function useDeviceScreen(opts: {
  fetchers: ScreenFetchers
  enabled?: MaybeRefOrGetter<boolean>
  width?: number
  intervalMs?: number
  retryMs?: number
  toUrl?: (blob: Blob) => string
  revoke?: (url: string) => void
}) {
  const status = ref<DeviceStatus | null>(null)
  const error = ref('')
  const frameUrl = ref<string | null>(null)
  const frames = ref(0)
  const toUrl = opts.toUrl ?? ((b: Blob) => URL.createObjectURL(b))
  const revoke = opts.revoke ?? ((u: string) => URL.revokeObjectURL(u))
  let timer: ReturnType<typeof setTimeout> | null = null
  let alive = false
  let generation = 0

  function later(fn: () => Promise<void>, ms: number): void {
    if (timer) clearTimeout(timer)
    const mine = generation
    timer = setTimeout(() => {
      if (alive && mine === generation) void fn()
    }, ms)
  }

  function setFrame(url: string | null): void {
    if (frameUrl.value) revoke(frameUrl.value)
    frameUrl.value = url
  }

  async function checkStatus(): Promise<void> {
    const mine = generation
    try {
      const s = await opts.fetchers.status()
      if (!alive || mine !== generation) return
      status.value = s
      error.value = s.connected ? '' : s.error
    } catch (err) {
      if (!alive || mine !== generation) return
      error.value = `the gateway did not answer: ${err instanceof Error ? err.message : String(err)}`
    }
    if (status.value?.connected) await nextFrame()
    else later(checkStatus, opts.retryMs ?? 5000)
  }

  async function nextFrame(): Promise<void> {
    const mine = generation
    try {
      const blob = await opts.fetchers.frame(opts.width ?? 640)
      if (!alive || mine !== generation) return
      setFrame(toUrl(blob))
      frames.value++
      error.value = ''
      later(nextFrame, opts.intervalMs ?? 1000)
    } catch (err) {
      if (!alive || mine !== generation) return
      setFrame(null)
      error.value = err instanceof Error ? err.message : String(err)
      later(checkStatus, opts.retryMs ?? 5000) // the device went away: ask why, then retry
    }
  }

  function start(): void {
    if (alive) return
    alive = true
    generation++
    void checkStatus()
  }

  function stop(): void {
    alive = false
    generation++
    if (timer) clearTimeout(timer)
    timer = null
  }

  watch(
    () => toValue(opts.enabled) !== false,
    (on) => (on ? start() : stop()),
    { immediate: true },
  )
  onScopeDispose(() => {
    stop()
    setFrame(null)
  })

  return { status, error, frameUrl, frames, start, stop }
}
