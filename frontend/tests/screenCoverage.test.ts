import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import ScreenCoverage from '@/components/ScreenCoverage.vue'
import { until, useMockBackend } from './helpers'

describe('ScreenCoverage', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('shows per state the gallery frames and how sure recent placements were, and what to teach next', async () => {
    const backend = useMockBackend()
    backend.screenCoverage.splice(0, backend.screenCoverage.length,
      { state: 'award', frames: 3, placed: 12, mean_confidence: 0.93, min_confidence: 0.81, unplaced_near: 0 },
      { state: 'choose', frames: 1, placed: 4, mean_confidence: 0.64, min_confidence: 0.6, unplaced_near: 2 },
      { state: 'story', frames: 0, placed: 0, mean_confidence: null, min_confidence: null, unplaced_near: 0 },
    )
    const w = mount(ScreenCoverage)
    await until(() => w.findAll('tbody tr').length === 3)
    expect(w.get('[data-role="coverage-summary"]').text()).toContain('2 of 3 states have frames of yours; next to teach: story')
    expect(w.get('tr[data-state="award"] [data-col="frames"]').text()).toBe('3')
    expect(w.get('tr[data-state="award"] [data-col="mean"]').text()).toBe('93 %')
    expect(w.get('tr[data-state="choose"]').classes()).toContain('unsure')
    expect(w.get('tr[data-state="story"]').classes()).toContain('untaught')
    expect(w.get('tr[data-state="story"] [data-col="mean"]').text()).toBe('—')
  })
})
