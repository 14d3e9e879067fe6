import { nextTick, ref, type Ref } from 'vue'

/**
 * Console auto-scroll: follows new lines while the view is at the bottom; scrolling up
 * pauses it (and counts what arrived meanwhile) until the user returns to the bottom.
 */
export function useAutoScroll(el: Ref<HTMLElement | null>, slack = 8) {
  const following = ref(true)
  const unseen = ref(0)

  function atBottom(): boolean {
    const e = el.value
    if (!e) return true
    return e.scrollTop + e.clientHeight >= e.scrollHeight - slack
  }

  function onScroll(): void {
    following.value = atBottom()
    if (following.value) unseen.value = 0
  }

  async function onContent(added: number): Promise<void> {
    if (!following.value) {
      unseen.value += added
      return
    }
    await nextTick()
    const e = el.value
    if (e) e.scrollTop = e.scrollHeight
  }

  async function resume(): Promise<void> {
    following.value = true
    unseen.value = 0
    await nextTick()
    const e = el.value
    if (e) e.scrollTop = e.scrollHeight
  }

  return { following, unseen, onScroll, onContent, resume, atBottom }
}
