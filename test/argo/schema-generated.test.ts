import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { generateArgoValidatorModule } from '../../packages/compiler/src/targets/argo/standalone.ts'

describe('precompiled Argo validator', () => {
  it('matches the schema it was generated from (run `pnpm generate` after changing targets/argo/schema.ts)', () => {
    const committed = readFileSync(new URL('../../packages/compiler/src/targets/argo/generated/validator.js', import.meta.url), 'utf8')
    expect(committed === generateArgoValidatorModule()).toBe(true)
  })
})
