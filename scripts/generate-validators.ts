/**
 * Writes the KFP schema validators as standalone code, so a compile does not pay ajv's schema
 * compilation (~0.4 s) on every run. `pnpm generate` after changing a schema; a test fails when
 * the generated file is stale.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { generateValidatorModule } from '../packages/compiler/src/targets/kfp/schema/standalone.ts'

const target = fileURLToPath(new URL('../packages/compiler/src/targets/kfp/schema/generated/validators.js', import.meta.url))
writeFileSync(target, generateValidatorModule())
console.log(`wrote ${target}`)
