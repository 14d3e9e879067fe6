import { computed, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { orderKinds } from '@/lib/imageKinds'
import { compareStreamIds } from '@/lib/streamId'
import type { ModuleImage } from '@/stores/telemetry'

/** Newer of two images: by event time, then by stream id (same-millisecond events). */
function newer(a: ModuleImage, b: ModuleImage): boolean {
  return a.ts !== b.ts ? a.ts > b.ts : compareStreamIds(a.id, b.id) > 0
}

/**
 * Which of a module's image kinds to show. Follows the newest image until the user picks
 * a kind; the pick holds while other kinds update (they are marked unseen) and is dropped
 * when a kind appears for the first time, so a new picture (the histogram at the end of a
 * training run) is not missed.
 */
export function useImageKinds(images: MaybeRefOrGetter<Record<string, ModuleImage> | null | undefined>) {
  const all = computed(() => toValue(images) ?? {})
  const kinds = computed(() => orderKinds(Object.keys(all.value)))
  const newest = computed<string | null>(() => {
    let best: ModuleImage | null = null
    for (const img of Object.values(all.value)) if (!best || newer(img, best)) best = img
    return best?.kind ?? null
  })
  const pinned = ref<string | null>(null)
  const selected = computed<string | null>(() =>
    pinned.value !== null && pinned.value in all.value ? pinned.value : newest.value,
  )
  const current = computed<ModuleImage | null>(() => (selected.value ? (all.value[selected.value] ?? null) : null))
  /** kind -> id of the image last shown */
  const seen = ref<Record<string, string>>({})

  watch(
    () => current.value?.id,
    () => {
      const c = current.value
      if (c) seen.value = { ...seen.value, [c.kind]: c.id }
    },
    { immediate: true },
  )
  watch(kinds, (now, before) => {
    if (now.some((k) => !before.includes(k))) pinned.value = null
  })

  function select(kind: string): void {
    if (kind in all.value) pinned.value = kind
  }
  /** Updated since the user last saw it (never true for the kind on screen). */
  function isUnseen(kind: string): boolean {
    const img = all.value[kind]
    return !!img && kind !== selected.value && seen.value[kind] !== img.id
  }
  return { kinds, newest, selected, current, pinned, select, isUnseen }
}
