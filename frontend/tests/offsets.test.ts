import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import type { DeviceOffset } from '@/api/types'
import DeviceOffsets from '@/components/DeviceOffsets.vue'
import PlayHistory from '@/components/PlayHistory.vue'
import type { PlayRecord } from '@/api/types'
import { useDeviceOffsets } from '@/composables/useDeviceOffsets'
import { lastMoves, moveText, offsetSource } from '@/lib/offsets'
import { liveFields } from '@/lib/live'
import { resultOf } from '@/lib/scriptor'

const sim = (over: Partial<DeviceOffset> = {}): DeviceOffset => ({
  device: 'sim:emulator-5554',
  offset_us: -2_300,
  pinned: false,
  source: 'learned from the plays',
  plays: 1,
  probe_base_us: null,
  probes: 0,
  moves: [
    { ts: 1, used_us: -45_000, offset_us: -2_300, mean_error_ms: -42.7, song_id: 316, title: 'オレンジ', why: 'learned' },
    { ts: 2, used_us: -2_300, offset_us: -2_300, mean_error_ms: 0, song_id: 676, title: '', why: 'learned' },
  ],
  ...over,
})

describe('device offsets', () => {
  it('says each move in words: from, to, why and the measured error', () => {
    const [newest, first] = lastMoves(sim())
    expect(moveText(first!)).toBe('\u221245.0 ms \u2192 \u22122.3 ms: learned (mean touch error \u221242.7 ms) on オレンジ')
    expect(moveText(newest!)).toBe('stays \u22122.3 ms: learned (mean touch error 0.0 ms)')
    expect(offsetSource(sim({ pinned: true }))).toBe('pinned; learned from the plays, 1 play learned')
  })

  it('reads the live offset fields the loop publishes', () => {
    const l = liveFields('scriptor', { fields: { offset_ms: -2.3, offset_device: 'sim:emulator-5554', offset_source: 'learned', offset_moved_ms: 42.7 } })
    expect(l).toMatchObject({ offset_ms: -2.3, offset_device: 'sim:emulator-5554', offset_source: 'learned', offset_moved_ms: 42.7 })
  })

  it('fetches on each new play and pins through the API, keeping rows when a request fails', async () => {
    const plays = ref(0)
    let fail = false
    const pinned: [string, boolean][] = []
    const scope = effectScope()
    const o = scope.run(() =>
      useDeviceOffsets({
        fetch: async () => {
          if (fail) throw new Error('HTTP 500')
          return [sim({ plays: plays.value })]
        },
        pin: async (device, p) => {
          pinned.push([device, p])
          return sim({ pinned: p })
        },
        trigger: () => plays.value,
      }),
    )!
    await nextTick()
    await new Promise((r) => setTimeout(r, 0))
    expect(o.devices.value[0]!.plays).toBe(0)
    plays.value = 3
    await new Promise((r) => setTimeout(r, 0))
    expect(o.devices.value[0]!.plays).toBe(3)
    await o.pin('sim:emulator-5554', true)
    expect(pinned).toEqual([['sim:emulator-5554', true]])
    expect(o.devices.value[0]!.pinned).toBe(true)
    fail = true
    await o.refresh()
    expect(o.error.value).toContain('HTTP 500')
    expect(o.devices.value).toHaveLength(1)
    scope.stop()
  })

  it('lists the devices with their offset and a pin button', async () => {
    const w = mount(DeviceOffsets, { props: { devices: [sim()], error: '', current: 'sim:emulator-5554' } })
    const row = w.get('[data-device="sim:emulator-5554"]')
    expect(row.attributes('data-current')).toBe('1')
    expect(row.get('[data-field="offset"]').text()).toBe('\u22122.3 ms')
    expect(w.findAll('[data-role="offset-moves"] li')).toHaveLength(2)
    await row.get('[data-role="pin"]').trigger('click')
    expect(w.emitted('pin')).toEqual([['sim:emulator-5554', true]])
    const empty = mount(DeviceOffsets, { props: { devices: [], error: '', current: null } })
    expect(empty.text()).toContain('No device played yet')
  })
})

describe('a play whose start sync failed', () => {
  it('says so in its history row, beside its counts (never silently a song of Misses)', () => {
    const row = {
      song_id: 316, title: 'オレンジ', difficulty: 'expert', mode: 'Free', counts: { perfect: 0, great: 0, good: 0, bad: 0, miss: 18 },
      fast: 0, slow: 0, cleared: true, correction_time_us: 0, performance: 'AllPerfect', simulated: true, ts: 1_700_000_000, level: 25,
      note: 'start sync failed: no falling note seen', medley: [], wrong_song: false, skipped: false, device: 'sim:emulator-5554',
    } as PlayRecord
    const w = mount(PlayHistory, { props: { records: [row], error: '', loaded: true } })
    expect(w.get('[data-role="play-note"]').text()).toBe('start sync failed: no falling note seen')
  })

  it('a wrong song is never shown as cleared', () => {
    expect(resultOf({ cleared: false, wrong_song: true, counts: {} } as unknown as PlayRecord)).toEqual({ key: 'wrong-song', label: 'wrong song' })
  })

  it('a room song left to the others is shown as skipped, never failed or cleared', () => {
    expect(resultOf({ cleared: false, skipped: true, wrong_song: false, counts: {} } as unknown as PlayRecord)).toEqual({ key: 'skipped', label: 'skipped' })
  })
})

describe('screen models', () => {
  it('lists the models with the reason a refused one was kept aside, and goes back to the shipped one in one click', async () => {
    const { default: ScreenModels } = await import('@/components/ScreenModels.vue')
    const { api } = await import('@/api/endpoints')
    const trained = { name: 'trained', in_use: true, path: 'ui_recognition/models', screens: 4, val_acc: 0.9, reason: '', saved: 1 }
    const shipped = { name: 'shipped', in_use: false, path: '(shipped with the product)', screens: 34, val_acc: null, reason: '', saved: null }
    const aside = { ...trained, name: 'rejected/20261206-110000', in_use: false, reason: 'it knows no frames of 30 screen(s) the current model knows' }
    const list = vi.spyOn(api, 'screenModels').mockResolvedValue([shipped, trained, aside])
    const back = vi.spyOn(api, 'useShippedModel').mockResolvedValue({ moved_to: 'ui_recognition/models/replaced/x', models: [{ ...shipped, in_use: true }] })
    const w = mount(ScreenModels, { props: { trigger: 'idle' } })
    await flushPromises()
    expect(w.get('[data-model="rejected/20261206-110000"] [data-role="model-reason"]').text()).toContain('30 screen(s)')
    await w.get('[data-role="use-shipped"]').trigger('click')
    await flushPromises()
    expect(back).toHaveBeenCalledOnce()
    expect(w.get('[data-model="shipped"]').attributes('data-in-use')).toBe('1')
    expect(w.text()).toContain('from its next start')
    list.mockRestore()
    back.mockRestore()
  })
})

describe('a Start that leaves out a typed value', () => {
  it('says which value it ran without', async () => {
    const { createPinia, setActivePinia } = await import('pinia')
    const { useBackendStore } = await import('@/stores/backend')
    const { useConfigStore } = await import('@/stores/config')
    const { useMockBackend } = await import('./helpers')
    setActivePinia(createPinia())
    useMockBackend()
    const b = useBackendStore()
    await b.load()
    const cfg = useConfigStore()
    cfg.markDraft('scriptor', 'correction_time', 'not a number')
    await b.start('scriptor', 'start_scriptor')
    expect(b.feedbackOf('scriptor', 'start_scriptor').notice).toBe(
      'Started with the saved value of correction_time (not a number): fix the setting to use it.',
    )
    await b.stop('scriptor', 'start_scriptor')
    cfg.markDraft('scriptor', 'correction_time', '')
    expect(cfg.ignoredValues('scriptor')).toEqual([])
  })
})
