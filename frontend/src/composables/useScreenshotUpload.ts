import { computed, onScopeDispose, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { ApiError } from '@/api/client'
import { api } from '@/api/endpoints'
import type { ScreenshotList, ScreenshotUpload } from '@/api/types'

export type UploadState = 'idle' | 'dragging' | 'uploading' | 'done' | 'error'

export interface FileError {
  file: string
  message: string
}

export interface ScreenshotApi {
  list: (module: string) => Promise<ScreenshotList>
  upload: (module: string, files: readonly File[]) => Promise<ScreenshotUpload>
}

const ACCEPT = ['image/png', 'image/jpeg']

/**
 * Screenshot upload into a module's screenshot folder (what add_song / add_img read): the
 * folder's count and newest names, drag-and-drop state, and per-file errors from the
 * server (a 422 names each refused file; the others of the same request are stored, so
 * the count is re-read after every upload whatever the outcome).
 */
export function useScreenshotUpload(opts: {
  module: MaybeRefOrGetter<string>
  /** re-list when this changes (e.g. the configured folder, once its autosave is done) */
  refreshOn?: MaybeRefOrGetter<unknown>
  refreshDelay?: number
  api?: ScreenshotApi
}) {
  const client: ScreenshotApi = opts.api ?? { list: api.screenshots, upload: api.uploadScreenshots }
  const count = ref<number | null>(null)
  const files = ref<string[]>([])
  const folder = ref('')
  const stored = ref<string[]>([])
  const errors = ref<FileError[]>([])
  const listError = ref('')
  const busy = ref(false)
  const failed = ref(false)
  let depth = 0 // dragenter/dragleave fire for every child element crossed
  const dragging = ref(false)

  const state = computed<UploadState>(() => {
    if (busy.value) return 'uploading'
    if (dragging.value) return 'dragging'
    if (failed.value || errors.value.length || listError.value) return 'error'
    return stored.value.length ? 'done' : 'idle'
  })

  async function refresh(): Promise<void> {
    try {
      const doc = await client.list(toValue(opts.module))
      count.value = doc.count
      files.value = doc.files
      folder.value = doc.folder
      listError.value = ''
    } catch (err) {
      listError.value = `cannot list screenshots: ${messageOf(err)}`
    }
  }

  async function send(list: Iterable<File> | ArrayLike<File> | null | undefined): Promise<void> {
    const chosen = Array.from(list ?? [])
    if (!chosen.length || busy.value) return
    busy.value = true
    failed.value = false
    errors.value = []
    stored.value = []
    try {
      const res = await client.upload(toValue(opts.module), chosen)
      stored.value = res.results.flatMap((r) => (r.stored_as ? [r.stored_as] : []))
    } catch (err) {
      failed.value = true
      errors.value = fileErrors(err)
    } finally {
      busy.value = false
    }
    await refresh()
  }

  function onDragEnter(e: DragEvent): void {
    e.preventDefault()
    depth++
    dragging.value = true
  }
  function onDragOver(e: DragEvent): void {
    e.preventDefault() // required for the drop to be allowed
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'
  }
  function onDragLeave(): void {
    depth = Math.max(0, depth - 1)
    if (!depth) dragging.value = false
  }
  async function onDrop(e: DragEvent): Promise<void> {
    e.preventDefault()
    depth = 0
    dragging.value = false
    await send(e.dataTransfer?.files)
  }

  watch(
    () => toValue(opts.module),
    () => void refresh(),
    { immediate: true },
  )
  let timer: ReturnType<typeof setTimeout> | null = null
  watch(
    () => toValue(opts.refreshOn),
    () => {
      if (timer) clearTimeout(timer)
      timer = setTimeout(() => void refresh(), opts.refreshDelay ?? 800)
    },
  )
  onScopeDispose(() => {
    if (timer) clearTimeout(timer)
  })

  return { state, count, files, folder, stored, errors, listError, busy, accept: ACCEPT.join(','), refresh, send, onDragEnter, onDragOver, onDragLeave, onDrop }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** One entry per refused file from a 422 (``detail[i].input`` is the file's name). */
function fileErrors(err: unknown): FileError[] {
  if (err instanceof ApiError && err.issues.length) {
    return err.issues.map((issue) => ({ file: typeof issue.input === 'string' ? issue.input : '', message: issue.msg }))
  }
  return [{ file: '', message: `upload failed: ${messageOf(err)}` }]
}
