import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '@/api/endpoints'
import type { DevicesDoc, DeviceView } from '@/api/types'

const POLL_MS = 5000 // workers joining or leaving (their heartbeats); states come live over /ws

/**
 * The device list (GET /api/devices): each device with the unit of its scriptor and
 * whether a worker serves it. Loaded once, then polled while anything watches it.
 */
export const useDevicesStore = defineStore('devices', () => {
  const devices = ref<DeviceView[]>([])
  const doc = ref<DevicesDoc | null>(null)
  const error = ref('')
  let timer: ReturnType<typeof setInterval> | null = null

  async function load(): Promise<void> {
    try {
      doc.value = await api.devices()
      devices.value = doc.value.devices
      error.value = ''
    } catch (err) {
      error.value = `the device list could not be loaded: ${err instanceof Error ? err.message : String(err)}`
    }
  }

  function watchList(): void {
    if (timer) return
    void load()
    timer = setInterval(() => void load(), POLL_MS)
  }

  function adopt(saved: DevicesDoc): void {
    doc.value = saved
    devices.value = saved.devices
  }

  return { devices, doc, error, load, watchList, adopt }
})
