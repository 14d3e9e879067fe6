import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import TupleEditor from '@/components/fields/TupleEditor.vue'
import { SKINS } from '@/widgets/skins/registry'

describe('toggle skins share the headless parts', () => {
  it.each(Object.entries(SKINS.toggle))('%s exposes state by data-* and aria and toggles', async (_name, skin) => {
    const w = mount(skin.component, { props: { modelValue: false, label: 'Lobby', 'onUpdate:modelValue': (v: boolean) => w.setProps({ modelValue: v }) } })
    const root = w.get('[data-scope="toggle"][data-part="root"]')
    expect(root.attributes('data-state')).toBe('off')
    expect(root.attributes('role')).toBe('switch')
    expect(root.attributes('aria-checked')).toBe('false')
    await root.trigger('click')
    expect(w.emitted('update:modelValue')?.[0]).toEqual([true])
    expect(root.attributes('data-state')).toBe('on')
    expect(w.findAll('[data-scope="toggle"][data-state="on"]').length).toBeGreaterThan(1)
  })

  it('skins differ only in template and style', () => {
    const a = mount(SKINS.toggle.classic.component, { props: { modelValue: true } })
    const b = mount(SKINS.toggle.icon.component, { props: { modelValue: true } })
    expect(a.find('[data-part="thumb"]').exists()).toBe(true)
    expect(b.find('[data-part="icon"] svg').exists()).toBe(true)
    expect(a.get('[data-part="root"]').attributes('data-state')).toBe(b.get('[data-part="root"]').attributes('data-state'))
  })
})

describe('radio skins share the headless parts', () => {
  const options = ['Free', 'Collaborate', 'Stage', 'Event', 'Story']
  it.each(Object.entries(SKINS.radio))('%s: roving tab stop, arrows select, data-state per item', async (_name, skin) => {
    let current = 'Event'
    const w = mount(skin.component, {
      props: { modelValue: current, options, label: 'Mode', 'onUpdate:modelValue': (v: string | undefined) => void (current = v ?? current) },
      attachTo: document.body,
    })
    const items = () => w.findAll<HTMLElement>('[data-scope="radio"][data-part="item"]')
    expect(items().map((i) => i.attributes('tabindex'))).toEqual(['-1', '-1', '-1', '0', '-1'])
    expect(items()[3]?.attributes('data-state')).toBe('checked')
    await items()[3]?.trigger('keydown', { key: 'ArrowRight' })
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual(['Story'])
    await w.setProps({ modelValue: current })
    expect(items()[4]?.attributes('aria-checked')).toBe('true')
    expect(document.activeElement?.getAttribute('data-value')).toBe('Story')
    await items()[0]?.trigger('click')
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual(['Free'])
    w.unmount()
  })
})

describe('tuple editor', () => {
  it('names an unparsable cell in words and saves nothing until it is fixed', async () => {
    const w = mount(TupleEditor, { props: { modelValue: [['newbee', 0.85]], types: ['string', 'number'], labels: ['title', 'Perfect'] } })
    const cell = w.findAll('[data-part="cell"]')[1]
    await cell?.setValue('abc')
    expect(w.get('[data-part="cell-errors"]').text()).toBe('row 1 Perfect: not a number (not saved until fixed)')
    expect(w.emitted('update:modelValue')).toBeUndefined()
    await cell?.setValue('0.9')
    expect(w.find('[data-part="cell-errors"]').exists()).toBe(false)
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual([[['newbee', 0.9]]])
  })
})
