// A 401 from the gateway opens the token prompt; the token becomes the cookie the gateway reads.
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import TokenPrompt from '@/components/TokenPrompt.vue'
import { announceTokenRequired, tokenCookie } from '@/lib/token'

describe('TokenPrompt', () => {
  it('opens on a 401 and stores the token as a cookie', async () => {
    let reloaded = 0
    const wrapper = mount(TokenPrompt, { props: { reload: () => (reloaded += 1) }, attachTo: document.body })
    expect(wrapper.find('form').exists()).toBe(false)
    announceTokenRequired()
    await wrapper.vm.$nextTick()
    expect(wrapper.find('form').exists()).toBe(true)
    await wrapper.find('input').setValue('  s3cret-token ')
    await wrapper.find('form').trigger('submit')
    expect(document.cookie).toContain('autobang_token=s3cret-token')
    expect(reloaded).toBe(1)
    expect(wrapper.find('form').exists()).toBe(false)
    wrapper.unmount()
  })

  it('encodes the cookie value', () => {
    expect(tokenCookie('a;b')).toMatch(/^autobang_token=a%3Bb; path=\/; SameSite=Strict/)
  })
})
