import { computed, toValue, type MaybeRefOrGetter } from 'vue'
import type { TaskStatus } from '@/lib/status'
import { splitUnit, unitOf } from '@/lib/devices'

/** What the picker needs of a device of the list (`DeviceView`, GET /api/devices). */
export interface PickerDevice {
  name: string
  target: string
  /** the scriptor's unit: its worker is what `worker` says answers */
  unit: string
  worker: boolean
  /** per module with device tasks: a worker serving its unit for this device answers */
  workers?: Record<string, boolean>
}

/** One choice: the device, the unit of the tab's module on it, that unit's status. */
export interface DeviceChoice {
  name: string
  target: string
  unit: string
  status: TaskStatus
  current: boolean
  /** whether a worker serves the unit; null when the list does not say (an older gateway) */
  worker: boolean | null
}

/**
 * A tab's device picker (headless): for the tab's unit (`workflow`, `workflow@mumu2`), one
 * choice per device of the device list, each the unit of the same module on that device
 * (`lib/devices.ts`), with its status and whether a worker serves it (the list's
 * `workers`); which device the tab's tasks run on; hidden with one device.
 */
export function useDevicePicker(opts: {
  unit: MaybeRefOrGetter<string>
  devices: MaybeRefOrGetter<readonly PickerDevice[]>
  statusOf: (unit: string) => TaskStatus
}) {
  const parts = computed(() => splitUnit(toValue(opts.unit)))
  const module = computed(() => parts.value[0])
  const choices = computed<DeviceChoice[]>(() =>
    toValue(opts.devices).map((d, i) => {
      const unit = unitOf(module.value, d.name, i)
      return {
        name: d.name,
        target: d.target,
        unit,
        status: opts.statusOf(unit),
        current: unit === toValue(opts.unit),
        worker: d.workers?.[module.value] ?? (splitUnit(d.unit)[0] === module.value ? d.worker : null),
      }
    }),
  )
  const shown = computed(() => choices.value.length > 1)
  /** The device the tab's tasks run on: the unit's device, or the list's first for the
   * module itself; '' before the list is loaded. */
  const deviceName = computed(() => parts.value[1] || (toValue(opts.devices)[0]?.name ?? ''))
  /** A unit naming a device the list does not hold (a stale link): its tasks are refused. */
  const unknown = computed(() => !!parts.value[1] && choices.value.length > 0 && !choices.value.some((c) => c.current))
  return { module, choices, shown, deviceName, unknown }
}
