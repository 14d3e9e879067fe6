import { describe, expect, it } from 'vitest'
import { describeSchema, isVisible, normalizeOptions, type JsonSchema } from '@/lib/schema'
import registry from '@/mocks/fixtures/registry.json'

const schemaOf = (name: string): JsonSchema => {
  const m = (registry as unknown as { modules: { name: string; config_schema: JsonSchema }[] }).modules.find((x) => x.name === name)
  if (!m) throw new Error(name)
  return m.config_schema
}

describe('describeSchema on the real scriptor config schema', () => {
  const fields = describeSchema(schemaOf('scriptor'))
  const by = (n: string) => {
    const f = fields.find((x) => x.name === n)
    if (!f) throw new Error(n)
    return f
  }

  it('maps every widget kind the backend declares', () => {
    expect(by('is_no_action').widget).toBe('toggle')
    expect(by('MAX_SAME_STATE')).toMatchObject({ widget: 'number', integer: true, min: 10, max: 1000 })
    expect(by('mode')).toMatchObject({ widget: 'one-of', options: ['Free', 'Collaborate', 'Stage', 'Event', 'Story'], title: 'Mode' })
    expect(by('protected_state')).toMatchObject({ widget: 'many-of', optionsFrom: '/api/scriptor/available-states' })
    expect(by('weight_title')).toMatchObject({ widget: 'one-of', optionsFrom: '/api/scriptor/weight-titles' })
    expect(by('weights')).toMatchObject({
      widget: 'tuple',
      labels: ['title', 'Perfect', 'Great', 'Good', 'Bad', 'Miss'],
      itemTypes: ['string', 'number', 'number', 'number', 'number', 'number'],
    })
    expect(by('play_one_song_id').check).toBe('/api/scriptor/check-song/{value}')
    expect(by('mumu_port').live).toBe(false)
    expect(by('dilation_time').live).toBe(true)
  })

  it('shows lobby only for Tour, Compete and Team', () => {
    const lobby = by('lobby')
    expect(isVisible(lobby, { event: 'Compete' })).toBe(true)
    expect(isVisible(lobby, { event: 'Tour' })).toBe(true)
    expect(isVisible(lobby, { event: 'Challenge' })).toBe(false)
    expect(isVisible(by('mode'), {})).toBe(true)
  })

  it('reads float bounds and text fields of the recognition config', () => {
    const rec = describeSchema(schemaOf('song_recognition'))
    expect(rec.find((f) => f.name === 'learn_rate')).toMatchObject({ widget: 'number', integer: false, min: 0.0001, max: 0.1 })
    expect(rec.find((f) => f.name === 'screenshot_dir')?.widget).toBe('text')
  })

  it("takes help text from the field, not from an enum's class docstring", () => {
    // fetch's level refers to the Difficulty enum, whose docstring is developer markup
    const level = describeSchema(schemaOf('fetch')).find((f) => f.name === 'level')
    expect(level).toMatchObject({ widget: 'one-of', title: 'Level', description: '' })
    const own = describeSchema({
      $defs: { E: { enum: ['a'], description: 'for developers: ``x``' } },
      properties: { e: { $ref: '#/$defs/E', description: 'Pick one' }, n: { type: 'integer', description: 'How many' } },
    })
    expect(own.map((f) => f.description)).toEqual(['Pick one', 'How many'])
  })

  it('infers a widget when x-widget is missing', () => {
    const f = describeSchema({
      properties: { a: { type: 'boolean' }, b: { type: 'integer' }, c: { type: 'string' }, d: { type: 'array', items: { enum: ['x', 'y'] } } },
    })
    expect(f.map((x) => x.widget)).toEqual(['toggle', 'number', 'text', 'many-of'])
    expect(f[3]?.options).toEqual(['x', 'y'])
  })
})

describe('normalizeOptions', () => {
  it('accepts lists, tuples, objects and wrapped lists', () => {
    expect(normalizeOptions(['a', 'b'])).toEqual(['a', 'b'])
    expect(normalizeOptions([['newbee', 0.85], ['god', 1]])).toEqual(['newbee', 'god'])
    expect(normalizeOptions([{ name: 'x' }])).toEqual(['x'])
    expect(normalizeOptions({ states: ['ready'] })).toEqual(['ready'])
    expect(normalizeOptions(null)).toEqual([])
  })
})
