// Generates, from the backend itself (so nothing is written twice):
//  - src/api/schema.d.ts: TypeScript types from the gateway's OpenAPI schema (`autobang openapi`)
//  - src/mocks/fixtures/registry.json: the module registry, config schemas and defaults and
//    the scriptor's allowed lists, for the dev mock backend (VITE_MOCK=1)
// Both are committed, so building or running the mock needs no Python.
import { writeFileSync } from 'node:fs'
import { generate, REGISTRY_JSON, SCHEMA_DTS } from './api-gen.mjs'

const { schemaDts, registryJson } = await generate()
writeFileSync(SCHEMA_DTS, schemaDts)
writeFileSync(REGISTRY_JSON, registryJson)
console.log(`wrote ${SCHEMA_DTS} and ${REGISTRY_JSON}`)
