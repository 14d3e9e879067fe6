/**
 * Turns a module's config JSON Schema (pydantic's output plus the vendor keys in
 * shared/config/base.py: x-widget, x-live, x-options-from, x-visible-when, x-check,
 * x-labels) into field descriptors the generated form renders. Unknown widgets fall back to
 * what the JSON type implies, so a new field needs no UI change.
 */
export type WidgetKind = 'toggle' | 'number' | 'one-of' | 'many-of' | 'tuple' | 'text'
export type ScalarType = 'string' | 'number' | 'integer' | 'boolean'

export interface JsonSchema {
  type?: string | string[]
  title?: string
  description?: string
  default?: unknown
  enum?: unknown[]
  const?: unknown
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  items?: JsonSchema
  prefixItems?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  $ref?: string
  $defs?: Record<string, JsonSchema>
  anyOf?: JsonSchema[]
  allOf?: JsonSchema[]
  [vendor: `x-${string}`]: unknown
}

export interface FieldDescriptor {
  name: string
  title: string
  description: string
  widget: WidgetKind
  type: ScalarType | 'array'
  integer: boolean
  min?: number
  max?: number
  /** Allowed values from the schema (enum) */
  options: string[]
  /** API path returning the allowed values (x-options-from) */
  optionsFrom?: string
  /** field -> allowed values; the field shows only when every condition holds */
  visibleWhen?: Record<string, unknown[]>
  /** API path template with {value}, answering {ok, message} */
  check?: string
  /** applies to a running task without restart */
  live: boolean
  /** tuple column labels and types */
  labels: string[]
  itemTypes: ScalarType[]
  /** tasks this field belongs to (x-tasks); absent = shared by the module's tasks */
  tasks?: string[]
  default: unknown
}

function resolve(node: JsonSchema, root: JsonSchema): JsonSchema {
  let out = node
  if (out.$ref) {
    const name = out.$ref.replace(/^#\/\$defs\//, '')
    const target = root.$defs?.[name] ?? {}
    const { $ref: _ref, ...rest } = out
    out = { ...target, ...rest }
  }
  // pydantic writes a single allOf:[{$ref}] for referenced enums with extra keys
  if (out.allOf && out.allOf.length === 1 && out.allOf[0]) {
    const { allOf: _all, ...rest } = out
    out = { ...resolve(out.allOf[0], root), ...rest }
  }
  return out
}

function scalarType(node: JsonSchema): ScalarType {
  const t = Array.isArray(node.type) ? node.type.find((x) => x !== 'null') : node.type
  if (t === 'integer' || t === 'number' || t === 'boolean') return t
  return 'string'
}

function humanize(name: string): string {
  const spaced = name.replace(/_/g, ' ').toLowerCase()
  return spaced.charAt(0).toUpperCase() + spaced.slice(1)
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map((v) => String(v)) : undefined
}

export function describeField(name: string, raw: JsonSchema, root: JsonSchema): FieldDescriptor {
  const node = resolve(raw, root)
  const isArray = node.type === 'array'
  const items = node.items ? resolve(node.items, root) : undefined
  const hint = node['x-widget']
  let widget: WidgetKind
  if (hint === 'toggle' || hint === 'number' || hint === 'one-of' || hint === 'many-of' || hint === 'tuple' || hint === 'text') {
    widget = hint
  } else if (isArray) {
    widget = items?.prefixItems ? 'tuple' : 'many-of'
  } else if (node.enum) {
    widget = 'one-of'
  } else {
    const t = scalarType(node)
    widget = t === 'boolean' ? 'toggle' : t === 'string' ? 'text' : 'number'
  }
  const options = (node.enum ?? (isArray ? items?.enum : undefined) ?? []).map((v) => String(v))
  const prefix = items?.prefixItems ?? node.prefixItems ?? []
  const itemTypes = prefix.map((p) => scalarType(resolve(p, root)))
  const labels = stringList(node['x-labels']) ?? itemTypes.map((_, i) => `#${i + 1}`)
  const visible = node['x-visible-when']
  const type = isArray ? 'array' : scalarType(node)
  const field: FieldDescriptor = {
    name,
    title: raw.title ?? node.title ?? humanize(name),
    // an enum $def's description is its class docstring, written for developers: only a
    // field's own description is help text for the user
    description: raw.description ?? (raw.$ref ? '' : (node.description ?? '')),
    widget,
    type,
    integer: type === 'integer',
    options,
    live: node['x-live'] !== false,
    labels,
    itemTypes,
    default: node.default,
  }
  // enum $defs carry the enum's class name as title; prefer the field's own name then
  if (!raw.title && raw.$ref) field.title = humanize(name)
  const min = node.minimum ?? node.exclusiveMinimum
  const max = node.maximum ?? node.exclusiveMaximum
  if (min !== undefined) field.min = min
  if (max !== undefined) field.max = max
  if (typeof node['x-options-from'] === 'string') field.optionsFrom = node['x-options-from']
  if (typeof node['x-check'] === 'string') field.check = node['x-check']
  if (visible && typeof visible === 'object' && !Array.isArray(visible)) {
    field.visibleWhen = Object.fromEntries(
      Object.entries(visible as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]),
    )
  }
  const tasks = stringList(node['x-tasks'])
  if (tasks) field.tasks = tasks
  return field
}

export function describeSchema(schema: JsonSchema): FieldDescriptor[] {
  return Object.entries(schema.properties ?? {}).map(([name, node]) => describeField(name, node, schema))
}

export function isVisible(field: FieldDescriptor, values: Record<string, unknown>): boolean {
  if (!field.visibleWhen) return true
  return Object.entries(field.visibleWhen).every(([other, allowed]) => allowed.includes(values[other]))
}

/** Normalises an x-options-from answer: a list of strings, of [name, ...] tuples, of
 * {name} objects, or an object wrapping one such list. */
export function normalizeOptions(payload: unknown): string[] {
  let list: unknown = payload
  if (list && typeof list === 'object' && !Array.isArray(list)) {
    list = Object.values(list as Record<string, unknown>).find((v) => Array.isArray(v)) ?? Object.keys(list)
  }
  if (!Array.isArray(list)) return []
  return list.map((item: unknown) => {
    if (Array.isArray(item)) return String(item[0])
    if (item && typeof item === 'object') {
      const o = item as Record<string, unknown>
      return String(o.name ?? o.title ?? o.id ?? JSON.stringify(o))
    }
    return String(item)
  })
}
