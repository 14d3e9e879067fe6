/**
 * A small JSON Schema check for the mock backend's configs, answering like the real
 * gateway (FastAPI 422: {detail: [{loc: ["body", field, ...], msg, type}]}) with pydantic's
 * wording, so the UI's error paths can be exercised without services.
 */
import type { JsonSchema } from '@/lib/schema'
import type { ValidationIssue } from '@/api/client'

function resolve(node: JsonSchema, root: JsonSchema): JsonSchema {
  if (node.$ref) {
    const name = node.$ref.replace(/^#\/\$defs\//, '')
    return { ...(root.$defs?.[name] ?? {}), ...node, $ref: undefined }
  }
  return node
}

function checkValue(value: unknown, raw: JsonSchema, root: JsonSchema, loc: (string | number)[], out: ValidationIssue[]): void {
  const node = resolve(raw, root)
  const issue = (msg: string, type: string): void => {
    out.push({ loc, msg, type })
  }
  if (node.enum) {
    if (!node.enum.includes(value)) {
      const names = node.enum.map((e) => `'${String(e)}'`)
      issue(`Input should be ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`, 'enum')
    }
    return
  }
  switch (node.type) {
    case 'boolean':
      if (typeof value !== 'boolean') issue('Input should be a valid boolean', 'bool_type')
      return
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return issue(`Input should be a valid ${node.type === 'integer' ? 'integer' : 'number'}`, `${node.type === 'integer' ? 'int' : 'float'}_type`)
      if (node.type === 'integer' && !Number.isInteger(value)) return issue('Input should be a valid integer, got a number with a fractional part', 'int_from_float')
      if (node.minimum !== undefined && value < node.minimum) return issue(`Input should be greater than or equal to ${node.minimum}`, 'greater_than_equal')
      if (node.maximum !== undefined && value > node.maximum) return issue(`Input should be less than or equal to ${node.maximum}`, 'less_than_equal')
      return
    }
    case 'string':
      if (typeof value !== 'string') issue('Input should be a valid string', 'string_type')
      return
    case 'array': {
      if (!Array.isArray(value)) return issue('Input should be a valid list', 'list_type')
      const prefix = node.prefixItems
      if (prefix) {
        if (value.length !== prefix.length) return issue(`Tuple should have ${prefix.length} items`, 'too_short')
        prefix.forEach((p, i) => checkValue(value[i], p, root, [...loc, i], out))
        return
      }
      if (node.items) value.forEach((v, i) => checkValue(v, node.items as JsonSchema, root, [...loc, i], out))
      return
    }
  }
}

/** Issues for a merged config; `allowed` supplies lists from x-options-from. */
export function validateConfig(
  config: Record<string, unknown>,
  schema: JsonSchema,
  allowed: (path: string) => string[] | undefined,
): ValidationIssue[] {
  const out: ValidationIssue[] = []
  const props = schema.properties ?? {}
  for (const key of Object.keys(config)) {
    if (!(key in props)) out.push({ loc: ['body', key], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' })
  }
  for (const [key, node] of Object.entries(props)) {
    if (!(key in config)) continue
    const before = out.length
    checkValue(config[key], node, schema, ['body', key], out)
    if (out.length !== before) continue
    const from = node['x-options-from']
    const list = typeof from === 'string' ? allowed(from) : undefined
    const value = config[key]
    if (list && node['x-widget'] === 'many-of' && Array.isArray(value)) {
      const unknown = value.filter((v) => !list.includes(String(v)))
      if (unknown.length) out.push({ loc: ['body', key], msg: `Value error, unknown state(s) ${JSON.stringify(unknown)}: not among the screen states (GET /api/scriptor/available-states)`, type: 'value_error' })
    }
  }
  return out
}
