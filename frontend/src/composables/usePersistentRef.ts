import { ref, watch, type Ref } from 'vue'

/** A ref mirrored to localStorage as JSON (UI preferences survive reloads). */
export function usePersistentRef<T>(key: string, initial: T, valid: (v: unknown) => v is T = (v): v is T => v !== undefined): Ref<T> {
  let start = initial
  try {
    const raw = localStorage.getItem(key)
    if (raw !== null) {
      const parsed: unknown = JSON.parse(raw)
      if (valid(parsed)) start = parsed
    }
  } catch {
    // unreadable or blocked storage: keep the default
  }
  const r = ref(start) as Ref<T>
  watch(
    r,
    (v) => {
      try {
        localStorage.setItem(key, JSON.stringify(v))
      } catch {
        // storage full or blocked: the preference just won't persist
      }
    },
    { deep: true },
  )
  return r
}
