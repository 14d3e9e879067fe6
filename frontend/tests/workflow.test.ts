import { mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StreamEvent } from '@/api/events'
import WorkflowPanel from '@/components/WorkflowPanel.vue'
import { useWorkflow } from '@/composables/useWorkflow'
import { currentMode, captureInfo, curveText, jumpError, noteMarks, readingLines, sectionOf, walkReply } from '@/lib/workflow'
import type { MockBackend } from '@/mocks/backend'
import { useBackendStore } from '@/stores/backend'
import { until, useMockBackend } from './helpers'

describe('workflow: pure rules', () => {
  it('turns walk-through controls into the answers the task takes', () => {
    expect(walkReply({ kind: 'next' })).toEqual({ answer: 'Yes', text: null })
    expect(walkReply({ kind: 'previous' })).toEqual({ answer: 'Drop', text: null })
    expect(walkReply({ kind: 'jump', to: 7 })).toEqual({ answer: 'No', text: '7' })
    expect(walkReply({ kind: 'label', state: 'ready' })).toEqual({ answer: 'No', text: 'ready' })
  })

  it('checks a jump target against the frames there are', () => {
    expect(jumpError('', 5)).toBe('')
    expect(jumpError('3', 5)).toBe('')
    expect(jumpError('0', 5)).toBe('1..5')
    expect(jumpError('6', 5)).toBe('1..5')
    expect(jumpError('two', 5)).toBe('a frame number')
  })

  it('reads the overlay meta as marks, leaving malformed entries out', () => {
    const meta = { notes: [['tap', 0.35], ['flick', 0.6], 'junk', ['long']], boxes: [[1, 2, 3, 4], 'no box'] }
    expect(noteMarks(meta)).toEqual([
      { kind: 'tap', depth: 0.35, box: [1, 2, 3, 4] },
      { kind: 'flick', depth: 0.6, box: null },
    ])
    expect(noteMarks(undefined)).toEqual([])
  })

  it('shows the running task its own mode, else the configured one', () => {
    expect(currentMode({ mode: 'WalkThrough' }, 'Capture', true)).toBe('WalkThrough')
    expect(currentMode({ mode: 'WalkThrough' }, 'Record', false)).toBe('Record')
    expect(currentMode({}, 'nonsense', false)).toBe('Capture')
    expect(sectionOf('WalkThroughSheet')).toBe('walk')
    expect(sectionOf('TraceFirstNote')).toBe('trace')
  })

  it('takes frame rate and backend from the state, the device from the frame', () => {
    expect(captureInfo({ fps: 4.8, capture: 'raw' }, { source: 'emulator-5554', simulated: true, fps: 1 })).toEqual({
      fps: 4.8,
      capture: 'raw',
      source: 'emulator-5554',
      simulated: true,
    })
    expect(captureInfo({}, undefined)).toEqual({ fps: null, capture: null, source: null, simulated: false })
    expect(curveText([1.41421, 0.5, 0.25, -0.1, 0.04])).toBe('1.4142 − 0.5/(t+0.25) − 0.1·√(t+0.04)')
    expect(curveText([1, -2, -0.5, 3, 0])).toBe('1 + 2/(t−0.5) + 3·√(t+0)')
  })
})

const tiny = () => Promise.resolve({ width: 4, height: 2, rgba: new Uint8ClampedArray(32) })

describe('workflow: the tab\'s unit', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    useMockBackend({ makeFrame: tiny, makeOverlay: tiny }) // the frame list it asks for
  })

  it("follows the picked device's unit, not the first device's", () => {
    const b = useBackendStore()
    const w = useWorkflow({ unit: 'workflow@mumu2' })
    const state = (module: string, status: string) =>
      b.handleMessage({ id: `${status}-${module}`, module, type: 'state', ts: 1, data: { status, task: 'workflow', job_id: module, error: null, fields: { mode: 'Record' } } } as never)
    state('workflow', 'running')
    expect(w.running.value).toBe(false)
    state('workflow@mumu2', 'running')
    expect(w.running.value).toBe(true)
    expect(w.mode.value).toBe('Record')
  })
})

describe('WorkflowPanel against the mock backend', () => {
  let mock: MockBackend
  let w: VueWrapper | null = null
  let off: () => void = () => undefined

  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
    mock = useMockBackend({ makeFrame: tiny, makeOverlay: tiny })
  })
  afterEach(() => {
    off()
    w?.unmount()
    w = null
  })

  async function open(config: Record<string, unknown>): Promise<ReturnType<typeof useBackendStore>> {
    mock.updateConfig('workflow', config)
    const b = useBackendStore()
    await b.load()
    off = mock.subscribe((e) => b.handleMessage(e as unknown as StreamEvent))
    w = mount(WorkflowPanel, { attachTo: document.body })
    return b
  }
  const panel = () => w!.get('[data-role="workflow-panel"]')
  const text = (sel: string) => w!.get(sel).text()

  it('says what to do while idle, with the controls off', async () => {
    await open({ workflow_mode: 'Capture' })
    expect(panel().attributes('data-section')).toBe('capture')
    expect(text('[data-role="workflow-hint"]')).toContain('Start the task')
    expect(w!.get('[data-action="save-frame"]').attributes('disabled')).toBeDefined()
  })

  it('Capture: shows rate and backend and saves the frame shown', async () => {
    const b = await open({ workflow_mode: 'Capture', frame_rate: 5 })
    await b.start('workflow', 'workflow')
    await until(() => w!.find('[data-role="capture-fps"]').text().endsWith('fps'))
    expect(text('[data-role="capture-backend"]')).toBe('mock')
    expect(text('[data-role="capture-source"]')).toContain('simulated')
    await w!.get('[data-role="save-state"]').setValue('playing')
    await until(() => w!.get('[data-action="save-frame"]').attributes('disabled') === undefined)
    await w!.get('form').trigger('submit')
    await until(() => w!.get('[data-role="save-result"]').attributes('data-state') === 'done')
    expect(text('[data-role="save-result"]')).toMatch(/^saved ui_recognition\/inbox\/\d{8}-\d{6}-\d{3}_playing\.png$/)
    expect(mock.savedFrames.get('ui_inbox')?.some((f) => f.endsWith('_playing.png'))).toBe(true)
    await b.stop('workflow', 'workflow')
  })

  it('Record: the progress bar follows the frames saved to the end', async () => {
    const b = await open({ workflow_mode: 'Record', frame_rate: 5, record_duration_s: 2, frame_folder: 'records' })
    expect(text('[data-role="record-progress"]')).toBe('not recording')
    await b.start('workflow', 'workflow')
    await until(() => b.stateOf('workflow').status === 'finished', 4000)
    expect(w!.get('[data-role="record"] [role="progressbar"]').attributes('aria-valuenow')).toBe('100')
    expect(text('[data-role="record-progress"]')).toBe('10/10 frames') // the finished job's last word
    expect(mock.savedFrames.get('records')).toHaveLength(10)
  })

  it('WalkThroughSheet: next, jump and label answer the prompt; the notes are listed', async () => {
    const b = await open({ workflow_mode: 'WalkThroughSheet', frame_folder: 'ui_inbox' })
    await b.start('workflow', 'workflow')
    const walk = () => w!.get('[data-role="walk"]')
    await until(() => walk().attributes('data-index') === '1' && w!.get('[data-action="next"]').attributes('disabled') === undefined)
    expect(walk().attributes('data-total')).toBe('3')
    expect(w!.findAll('[data-role="saved-frames"] li')).toHaveLength(3)
    await until(() => w!.findAll('[data-role="note-mark"]').length === 3)
    expect(w!.get('[data-role="note-mark"]').attributes('data-box')).toMatch(/^\d+,\d+,\d+,\d+$/)
    // the label list is the prompt's choices (the UI states)
    expect(w!.findAll('[data-role="label-state"] option').map((o) => o.text())).toContain('ready')

    await w!.get('[data-action="next"]').trigger('click')
    await until(() => walk().attributes('data-index') === '2')
    await w!.get('[data-role="jump-to"]').setValue('9')
    expect(w!.get('[data-action="jump"]').attributes('disabled')).toBeDefined() // 1..3 only
    await w!.get('[data-role="jump-to"]').setValue('3')
    await w!.get('[data-action="jump"]').trigger('submit')
    await until(() => walk().attributes('data-index') === '3')
    await until(() => w!.get('[data-action="label"]').attributes('disabled') !== undefined)
    await w!.get('[data-role="label-state"]').setValue('ready')
    await until(() => w!.get('[data-action="label"]').attributes('disabled') === undefined)
    await w!.get('[data-action="label"]').trigger('submit')
    await until(() => walk().attributes('data-total') === '2')
    expect(mock.savedFrames.get('ui_inbox')).toHaveLength(2)
    await until(() => w!.findAll('[data-role="saved-frames"] li').length === 2)
    await b.stop('workflow', 'workflow')
  })

  it('a trace: shows the fit and saves the coefficients once', async () => {
    const b = await open({ workflow_mode: 'TraceFirstNote', trace_duration_s: 4 })
    expect(text('[data-role="trace"]')).toContain('No fit yet')
    await b.start('workflow', 'workflow')
    await until(() => w!.find('[data-role="fit"]').exists(), 4000)
    expect(w!.get('[data-role="fit"]').text()).toContain('TraceFirstNote')
    expect(w!.get('[data-role="fit"]').attributes('data-saved-as')).toBeUndefined()
    await w!.get('[data-action="save-fit"]').trigger('click')
    await until(() => w!.get('[data-role="fit-result"]').attributes('data-state') === 'done')
    expect(text('[data-role="fit-result"]')).toContain('saved as v3')
    expect(w!.get('[data-role="fit"]').attributes('data-saved-as')).toBe('v3')
    expect(w!.get('[data-action="save-fit"]').attributes('disabled')).toBeDefined()
  })
})

describe('the reading of the frame shown', () => {
  it('lists the screen and its reader fields, and nothing without a reading', () => {
    const meta = {
      reading: {
        state: 'award', confidence: 0.987, read: true,
        result: { perfect: 812, great: 30, difficulty: 'expert', song_id: null },
        ready: null, playing: null,
      },
    }
    expect(readingLines(meta)).toEqual([
      { label: 'screen', value: 'award (99 %)' },
      { label: 'perfect', value: '812' },
      { label: 'great', value: '30' },
      { label: 'difficulty', value: 'expert' },
      { label: 'song id', value: '—' },
    ])
    expect(readingLines({ reading: { read: false, error: 'not 16:9' } })).toEqual([{ label: 'error', value: 'not 16:9' }])
    expect(readingLines({})).toEqual([])
    expect(readingLines(undefined)).toEqual([])
  })
})
