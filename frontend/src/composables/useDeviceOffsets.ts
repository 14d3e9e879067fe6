import { onScopeDispose, ref, shallowRef, watch } from 'vue'
import type { DeviceOffset } from '@/api/types'

/**
 * The devices' offsets (GET /api/scriptor/offsets), fetched at first and whenever
 * `trigger` changes (a new play count: the loop moves the offset before it publishes the
 * count); `pin` sets or unpins one (PUT) and shows the answer. A failed request keeps
 * what is shown and says why.
 */
export function useDeviceOffsets(opts: {
  fetch: () => Promise<DeviceOffset[]>
  pin: (device: string, pinned: boolean) => Promise<DeviceOffset>
  trigger: () => unknown
}) {
  const devices = shallowRef<DeviceOffset[]>([])
  const error = ref('')
  let alive = true

  async function refresh(): Promise<void> {
    try {
      const rows = await opts.fetch()
      if (!alive) return
      devices.value = rows
      error.value = ''
    } catch (err) {
      if (alive) error.value = `the offsets could not be loaded: ${err instanceof Error ? err.message : String(err)}`
    }
  }

  async function pin(device: string, pinned: boolean): Promise<void> {
    try {
      const row = await opts.pin(device, pinned)
      if (!alive) return
      devices.value = devices.value.map((d) => (d.device === device ? row : d))
      error.value = ''
    } catch (err) {
      if (alive) error.value = `${pinned ? 'pinning' : 'unpinning'} ${device} failed: ${err instanceof Error ? err.message : String(err)}`
    }
  }

  watch(opts.trigger, () => void refresh(), { immediate: true })
  onScopeDispose(() => {
    alive = false
  })
  return { devices, error, refresh, pin }
}
