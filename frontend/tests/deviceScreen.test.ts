import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import type { DeviceStatus } from '@/api/types'
import { useDeviceScreen, type ScreenFetchers } from '@/composables/useDeviceScreen'

const connected: DeviceStatus = {
  spec: 'sim',
  connected: true,
  serial: 'emulator-5554',
  emulator: 'the simulated game',
  simulated: true,
  capture: 'stream',
  touch: 'input',
  display: '1280x720',
  detail: '',
  error: '',
  hint: '',
}
const down: DeviceStatus = {
  spec: 'adb',
  connected: false,
  serial: '',
  emulator: '',
  simulated: false,
  capture: '',
  touch: '',
  display: '',
  detail: '',
  error: 'no emulator at 127.0.0.1:7555: start MuMu, enable ADB, or set AUTOBANG_DEVICE=sim',
  hint: 'start MuMu with ADB enabled (port 7555)',
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
  await nextTick()
}

describe('useDeviceScreen', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  function setup(fetchers: ScreenFetchers, enabled = ref(true)) {
    const revoked: string[] = []
    let n = 0
    const scope = effectScope()
    const screen = scope.run(() =>
      useDeviceScreen({
        fetchers,
        enabled,
        intervalMs: 1000,
        retryMs: 5000,
        toUrl: () => `blob:${++n}`,
        revoke: (u) => revoked.push(u),
      }),
    )!
    return { screen, scope, revoked, enabled }
  }

  it('polls frames one at a time at the interval and revokes old ones', async () => {
    const frame = vi.fn(async () => new Blob(['jpeg']))
    const { screen, scope, revoked } = setup({ status: async () => connected, frame })
    await flush()
    expect(screen.status.value?.simulated).toBe(true)
    expect(screen.frameUrl.value).toBe('blob:1')
    expect(frame).toHaveBeenCalledTimes(1)
    expect(frame).toHaveBeenCalledWith(640)
    await vi.advanceTimersByTimeAsync(999)
    expect(frame).toHaveBeenCalledTimes(1) // throttled: not before the interval
    await vi.advanceTimersByTimeAsync(1)
    await flush()
    expect(frame).toHaveBeenCalledTimes(2)
    expect(screen.frameUrl.value).toBe('blob:2')
    expect(revoked).toEqual(['blob:1'])
    scope.stop()
    expect(revoked).toEqual(['blob:1', 'blob:2'])
    await vi.advanceTimersByTimeAsync(5000)
    expect(frame).toHaveBeenCalledTimes(2) // stopped with its scope
  })

  it('shows the reason while no device answers and asks again later', async () => {
    const status = vi.fn(async () => down)
    const frame = vi.fn(async () => new Blob(['jpeg']))
    const { screen } = setup({ status, frame })
    await flush()
    expect(screen.error.value).toContain('no emulator at 127.0.0.1:7555')
    expect(screen.frameUrl.value).toBeNull()
    expect(frame).not.toHaveBeenCalled()
    status.mockImplementation(async () => connected)
    await vi.advanceTimersByTimeAsync(5000)
    await flush()
    expect(status).toHaveBeenCalledTimes(2)
    expect(screen.error.value).toBe('')
    expect(screen.frameUrl.value).toBe('blob:1')
  })

  it('a failed frame drops the picture, says why and goes back to the status', async () => {
    const status = vi.fn(async () => connected)
    const frame = vi.fn(async (): Promise<Blob> => {
      throw new Error('emulator-5554 is offline: wait for the emulator to boot')
    })
    const { screen } = setup({ status, frame })
    await flush()
    expect(screen.error.value).toContain('is offline')
    expect(screen.frameUrl.value).toBeNull()
    await vi.advanceTimersByTimeAsync(5000)
    await flush()
    expect(status).toHaveBeenCalledTimes(2)
  })

  it('does nothing while disabled', async () => {
    const status = vi.fn(async () => connected)
    const frame = vi.fn(async () => new Blob(['jpeg']))
    const enabled = ref(false)
    const { screen } = setup({ status, frame }, enabled)
    await flush()
    expect(status).not.toHaveBeenCalled()
    enabled.value = true
    await flush()
    expect(screen.frameUrl.value).toBe('blob:1')
    enabled.value = false
    await flush()
    await vi.advanceTimersByTimeAsync(3000)
    expect(frame).toHaveBeenCalledTimes(1)
  })
})
