/**
 * Writes the schema validators of both targets as standalone code, so a compile does not pay
 * ajv's schema compilation (~0.4 s for KFP, ~0.1 s for Argo) on every run. `pnpm generate` after
 * changing a schema; conformance tests fail when a generated file is stale.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { generateArgoValidatorModule } from '../packages/compiler/src/targets/argo/standalone.ts'
import { generateValidatorModule } from '../packages/compiler/src/targets/kfp/schema/standalone.ts'

for (const [path, source] of [
  ['../packages/compiler/src/targets/kfp/schema/generated/validators.js', generateValidatorModule()],
  ['../packages/compiler/src/targets/argo/generated/validator.js', generateArgoValidatorModule()],
] as const) {
  const target = fileURLToPath(new URL(path, import.meta.url))
  writeFileSync(target, source)
  console.log(`wrote ${target}`)
}
