// A module added to the backend later appears with no shell change: sidebar link, tab,
// tasks and a generated form, all from /api/modules data.
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import AppSidebar from '@/components/AppSidebar.vue'
import { describeSchema } from '@/lib/schema'
import { useBackendStore } from '@/stores/backend'
import { useConfigStore } from '@/stores/config'
import { useUiStore } from '@/stores/ui'
import ModuleView from '@/views/ModuleView.vue'

const NEW_MODULE = {
  name: 'note_tracer',
  title: 'Note Tracer',
  tasks: [{ name: 'trace', title: 'Trace notes', uses_device: false, interactive: false, placeholder: false }],
  state: { status: 'idle' as const, fields: {}, last_id: '0-0' },
  config_version: 1,
  config_schema: {
    properties: {
      depth: { type: 'integer', minimum: 1, maximum: 9, default: 3, 'x-widget': 'number' },
      colour: { enum: ['blue', 'pink'], default: 'blue' },
    },
  },
}

function router() {
  return createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/m/:module', name: 'module', component: ModuleView, props: true }],
  })
}

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

describe('shell', () => {
  it('lists a new module with an initials icon and renders its tab from the schema', async () => {
    const backend = useBackendStore()
    backend.modules = [NEW_MODULE]
    backend.loaded = true
    useConfigStore().init('note_tracer', describeSchema(NEW_MODULE.config_schema), { depth: 3, colour: 'blue' })
    const r = router()
    await r.push('/m/note_tracer')
    const sidebar = mount(AppSidebar, { global: { plugins: [r] } })
    const link = sidebar.get('a[data-module="note_tracer"]')
    expect(link.text()).toContain('Note Tracer')
    expect(link.get('.module-icon.initials').text()).toBe('NT')

    const view = mount(ModuleView, { props: { module: 'note_tracer' }, global: { plugins: [r] } })
    expect(view.get('h2').text()).toBe('Note Tracer')
    expect(view.find('.task-card[data-task="trace"]').exists()).toBe(true)
    expect(view.get('.config-field[data-field="depth"]').attributes('data-widget')).toBe('number')
    expect(view.findAll('.config-field[data-field="colour"] [data-part="item"]')).toHaveLength(2)
    expect(view.find('[data-role="image-probe"]').exists()).toBe(false) // no device task, no frames yet
  })

  it('collapses to icons only and remembers it', async () => {
    const backend = useBackendStore()
    backend.modules = [NEW_MODULE]
    const r = router()
    await r.push('/m/note_tracer')
    const sidebar = mount(AppSidebar, { global: { plugins: [r] } })
    expect(sidebar.find('.title').exists()).toBe(true)
    await sidebar.get('[data-action="toggle-sidebar"]').trigger('click')
    expect(sidebar.get('nav').attributes('data-state')).toBe('collapsed')
    expect(sidebar.find('.title').exists()).toBe(false)
    expect(localStorage.getItem('autobang.sidebar.collapsed')).toBe('true')
    setActivePinia(createPinia())
    expect(useUiStore().sidebarCollapsed).toBe(true)
  })
})
