/**
 * Skin registry: a skin is only template + SCSS over the headless parts, so adding one is a
 * new entry here. The switcher lists these; the user's choice is remembered (ui store).
 */
import type { Component } from 'vue'
import ClassicRadio from './ClassicRadio.vue'
import ClassicToggle from './ClassicToggle.vue'
import IconRadio from './IconRadio.vue'
import IconToggle from './IconToggle.vue'

export interface Skin {
  label: string
  component: Component
}

export const SKINS = {
  toggle: {
    classic: { label: 'Classic switch', component: ClassicToggle },
    icon: { label: 'Icon check', component: IconToggle },
  },
  radio: {
    classic: { label: 'Classic dots', component: ClassicRadio },
    icon: { label: 'Star segments', component: IconRadio },
  },
} satisfies Record<string, Record<string, Skin>>

export type SkinKind = keyof typeof SKINS

export function skinFor(kind: SkinKind, name: string): Skin {
  const table: Record<string, Skin> = SKINS[kind]
  return table[name] ?? (table.classic as Skin)
}
