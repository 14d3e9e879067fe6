// The committed generated files must match the backend: API types from the gateway's
// OpenAPI schema and the mock's registry fixture (run `npm run gen:api` when this fails).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { generate, REGISTRY_JSON, SCHEMA_DTS } from '../scripts/api-gen.mjs'

describe('generated files', () => {
  it('are current with the backend', async () => {
    const { schemaDts, registryJson } = await generate()
    expect(readFileSync(SCHEMA_DTS, 'utf8') === schemaDts, 'src/api/schema.d.ts is stale: npm run gen:api').toBe(true)
    expect(JSON.parse(readFileSync(REGISTRY_JSON, 'utf8'))).toEqual(JSON.parse(registryJson))
  })
})
