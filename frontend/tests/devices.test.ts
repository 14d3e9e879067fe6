import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { ref } from 'vue'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { ApiError } from '@/api/client'
import { api } from '@/api/endpoints'
import type { DevicesDoc } from '@/api/types'
import DeviceListEditor from '@/components/DeviceListEditor.vue'
import DeviceSwitcher from '@/components/DeviceSwitcher.vue'
import { useDevicePicker } from '@/composables/useDevicePicker'
import { issuesByField, splitUnit, unitOf } from '@/lib/devices'
import { useBackendStore } from '@/stores/backend'
import { useDevicesStore } from '@/stores/devices'
import ModuleView from '@/views/ModuleView.vue'

const doc = (): DevicesDoc => ({
  devices: [
    { name: 'default', target: 'adb', kind: 'emulator', unit: 'scriptor', worker: true, status: 'running', error: null, serial: 'emulator-5554' },
    { name: 'mumu2', target: 'adb://127.0.0.1:5037/x', kind: 'emulator', unit: 'scriptor@mumu2', worker: false, status: 'idle', error: null, serial: null },
  ],
  saved: { devices: [{ name: 'default', target: 'adb', kind: 'emulator' }, { name: 'mumu2', target: 'adb://127.0.0.1:5037/x', kind: 'emulator' }] },
  restart_needed: false,
})

const router = () =>
  createRouter({ history: createMemoryHistory(), routes: [{ path: '/m/:module', name: 'module', component: { template: '<div />' } }] })

describe('devices and units', () => {
  beforeEach(() => setActivePinia(createPinia()))
  afterEach(() => vi.restoreAllMocks())

  it('names units as the gateway does', () => {
    expect(splitUnit('scriptor@mumu2')).toEqual(['scriptor', 'mumu2'])
    expect(splitUnit('scriptor')).toEqual(['scriptor', ''])
    expect(unitOf('scriptor', 'default', 0)).toBe('scriptor')
    expect(unitOf('scriptor', 'mumu2', 1)).toBe('scriptor@mumu2')
  })

  it('puts a 422 at the field it names, a whole-list issue under the list', () => {
    const got = issuesByField([
      { loc: ['body', 'devices', 1, 'name'], msg: 'must be lower-case' },
      { loc: ['body'], msg: "'a' is already the name of another device" },
    ])
    expect(got).toEqual({ '1.name': 'must be lower-case', list: "'a' is already the name of another device" })
  })

  it('switches between devices, each with its scriptor state and worker', async () => {
    useDevicesStore().adopt(doc())
    useBackendStore().handleMessage({ type: 'snapshot', modules: { 'scriptor@mumu2': { status: 'failed', task: 'start_scriptor', job_id: 'j', error: 'x', fields: {}, prompt: null, progress: null, last_id: '1-0', images: {} } } } as never)
    const r = router()
    await r.push('/m/scriptor@mumu2')
    const w = mount(DeviceSwitcher, { props: { unit: 'scriptor@mumu2' }, global: { plugins: [r] } })
    const links = w.findAll('[data-device]')
    expect(links.map((l) => l.attributes('data-device'))).toEqual(['default', 'mumu2'])
    expect(links[1]!.attributes('data-current')).toBe('1')
    expect(links[1]!.attributes('href')).toContain('/m/scriptor@mumu2')
    expect(links[1]!.text()).toContain('no worker')
    expect(links[1]!.find('[data-status]').attributes('data-status')).toBe('failed')
  })

  it('picks the device of any module with device tasks: its unit per device, its status, which one runs', () => {
    const devices = ref(doc().devices)
    const unit = ref('workflow')
    const statuses: Record<string, 'running' | 'idle'> = { 'workflow@mumu2': 'running' }
    const p = useDevicePicker({ unit, devices, statusOf: (u) => statuses[u] ?? 'idle' })
    expect(p.module.value).toBe('workflow')
    expect(p.shown.value).toBe(true)
    expect(p.deviceName.value).toBe('default') // the module itself runs on the list's first device
    expect(p.choices.value.map((c) => [c.name, c.unit, c.status, c.current, c.worker])).toEqual([
      ['default', 'workflow', 'idle', true, null], // a list without `workers` names only the scriptor's
      ['mumu2', 'workflow@mumu2', 'running', false, null],
    ])
    unit.value = 'song_recognition@mumu2'
    expect(p.deviceName.value).toBe('mumu2')
    expect(p.choices.value.map((c) => [c.unit, c.current])).toEqual([
      ['song_recognition', false],
      ['song_recognition@mumu2', true],
    ])
    unit.value = 'scriptor@mumu2'
    expect(p.choices.value.map((c) => c.worker)).toEqual([true, false]) // the scriptor's workers are known
    // the list's workers per module: the Workflow tab says which device has none
    devices.value = devices.value.map((d, i) => ({ ...d, workers: { scriptor: d.worker, workflow: i === 0 } }))
    unit.value = 'workflow'
    expect(p.choices.value.map((c) => c.worker)).toEqual([true, false])
    unit.value = 'workflow@gone' // a stale link: no choice is current
    expect(p.unknown.value).toBe(true)
    expect(p.deviceName.value).toBe('gone')
    devices.value = devices.value.slice(0, 1)
    expect(p.shown.value).toBe(false) // one device: nothing to pick
  })

  it("links the Workflow tab's picker to workflow@NAME, with that unit's state", async () => {
    useDevicesStore().adopt(doc())
    useBackendStore().handleMessage({ id: '1-0', module: 'workflow@mumu2', type: 'state', ts: 1, data: { status: 'running', task: 'workflow', job_id: 'w', error: null } } as never)
    const r = router()
    await r.push('/m/workflow')
    const w = mount(DeviceSwitcher, { props: { unit: 'workflow' }, global: { plugins: [r] } })
    expect(w.attributes('data-module')).toBe('workflow')
    expect(w.attributes('data-device-name')).toBe('default')
    const links = w.findAll('[data-device]')
    expect(links.map((l) => l.attributes('data-unit'))).toEqual(['workflow', 'workflow@mumu2'])
    expect(links[0]!.attributes('data-current')).toBe('1')
    expect(links[1]!.attributes('href')).toContain('/m/workflow@mumu2')
    expect(links[1]!.find('[data-status]').attributes('data-status')).toBe('running')
    expect(w.text()).not.toContain('no worker') // unknown for this module: not claimed
    useDevicesStore().adopt({ ...doc(), devices: doc().devices.slice(0, 1) })
    await flushPromises()
    expect(w.find('[data-role="device-switcher"]').exists()).toBe(false)
  })

  it("gives a device tab its picker and runs its task on the picked device's unit", async () => {
    const task = (name: string, uses_device: boolean) => ({ name, title: name, uses_device, interactive: false, placeholder: false })
    const mod = (name: string, uses_device: boolean) => ({
      name,
      title: name,
      tasks: [task(`${name}_task`, uses_device)],
      state: { status: 'idle' as const, fields: {}, last_id: '0-0' },
      config_version: 0,
      config_schema: {},
    })
    const backend = useBackendStore()
    backend.modules = [mod('grabber', true), mod('fetcher', false)]
    backend.loaded = true
    useDevicesStore().adopt(doc())
    const start = vi.spyOn(api, 'start').mockResolvedValue({ job_id: 'j' } as never)
    const r = router()
    await r.push('/m/grabber@mumu2')
    const view = mount(ModuleView, { props: { module: 'grabber@mumu2' }, global: { plugins: [r] } })
    const picker = view.get('[data-role="device-switcher"]')
    expect(picker.attributes('data-device-name')).toBe('mumu2')
    expect(picker.get('[data-current="1"]').attributes('data-unit')).toBe('grabber@mumu2')
    expect(view.get('[data-role="unit-device"]').text()).toContain('mumu2')
    await view.get('.task-card [data-action="start"]').trigger('click')
    await flushPromises()
    expect(start).toHaveBeenCalledWith('grabber@mumu2', 'grabber_task')
    const plain = mount(ModuleView, { props: { module: 'fetcher' }, global: { plugins: [r] } })
    expect(plain.find('[data-role="device-switcher"]').exists()).toBe(false) // no device task
  })

  it('saves the list and shows the gateway’s 422 at the field', async () => {
    const store = useDevicesStore()
    store.adopt(doc())
    const save = vi.spyOn(api, 'saveDevices').mockRejectedValueOnce(
      new ApiError(422, [{ loc: ['body', 'devices', 1, 'name'], msg: 'must be lower-case letters', type: 'value_error' }], 'bad'),
    )
    const w = mount(DeviceListEditor)
    await w.findAll('input[data-field="name"]')[1]!.setValue('Mu Mu')
    await w.find('[data-action="save-devices"]').trigger('click')
    await flushPromises()
    expect(save).toHaveBeenCalledWith({ devices: [doc().saved.devices[0], { ...doc().saved.devices[1], name: 'Mu Mu' }] })
    expect(w.find('[data-row="1"] .issue').text()).toBe('must be lower-case letters')
    save.mockResolvedValueOnce({ ...doc(), restart_needed: true })
    await w.find('[data-action="save-devices"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-role="devices-message"]').text()).toContain('restart the product')
    expect(w.find('.issue').exists()).toBe(false)
  })
})
