import type { ComputedRef, InjectionKey } from 'vue'

export interface ToggleContext {
  state: ComputedRef<'on' | 'off'>
  disabled: ComputedRef<boolean>
}
export const TOGGLE_KEY: InjectionKey<ToggleContext> = Symbol('toggle')

export interface RadioGroupContext {
  name: string
  disabled: ComputedRef<boolean>
  isSelected: (value: string) => boolean
  select: (value: string) => void
  tabIndexOf: (index: number) => number
  onKey: (key: string, index: number) => number | null
  focusItem: (index: number) => void
}
export const RADIO_GROUP_KEY: InjectionKey<RadioGroupContext> = Symbol('radio-group')

export interface RadioItemContext {
  state: ComputedRef<'checked' | 'unchecked'>
}
export const RADIO_ITEM_KEY: InjectionKey<RadioItemContext> = Symbol('radio-item')
