import { defineStore } from 'pinia'
import { usePersistentRef } from '@/composables/usePersistentRef'

export interface SkinChoice {
  toggle: string
  radio: string
}

function isSkinChoice(v: unknown): v is SkinChoice {
  return !!v && typeof v === 'object' && typeof (v as SkinChoice).toggle === 'string' && typeof (v as SkinChoice).radio === 'string'
}

export const useUiStore = defineStore('ui', () => {
  const sidebarCollapsed = usePersistentRef('autobang.sidebar.collapsed', false, (v): v is boolean => typeof v === 'boolean')
  const skins = usePersistentRef<SkinChoice>('autobang.skins', { toggle: 'classic', radio: 'classic' }, isSkinChoice)
  function toggleSidebar(): void {
    sidebarCollapsed.value = !sidebarCollapsed.value
  }
  return { sidebarCollapsed, skins, toggleSidebar }
})
