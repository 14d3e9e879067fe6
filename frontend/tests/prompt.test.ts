import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import PromptCard from '@/components/PromptCard.vue'
import type { PromptEntry } from '@/stores/console'

function prompt(choices: string[]): PromptEntry {
  return {
    module: 'ui_recognition',
    id: '1-0',
    ts: 0,
    prompt_id: 'p1',
    task: 'add_img',
    job_id: 'j',
    prompt: 'Is a.png ready?',
    options: ['No', 'Drop', 'Stop'],
    text_hint: 'state name or id',
    choices,
    closed: false,
  } as PromptEntry
}

describe('PromptCard', () => {
  it('offers the choices the task sent as a list that fills the answer', async () => {
    const w = mount(PromptCard, { props: { prompt: prompt(['award', 'ready', 'playing']) } })
    expect(w.find('[data-answer="Yes"]').exists()).toBe(false) // only the answers offered
    await w.get('[data-answer="No"]').trigger('click')
    const pick = w.get('[data-role="prompt-choice"]')
    expect(pick.findAll('option').map((o) => o.text())).toEqual(['pick one…', 'award', 'ready', 'playing'])
    await pick.setValue('playing')
    expect((w.get('[data-role="prompt-text"]').element as HTMLInputElement).value).toBe('playing')
  })

  it('shows no list when the answer is free text', async () => {
    const w = mount(PromptCard, { props: { prompt: prompt([]) } })
    await w.get('[data-answer="No"]').trigger('click')
    expect(w.find('[data-role="prompt-choice"]').exists()).toBe(false)
  })
})
