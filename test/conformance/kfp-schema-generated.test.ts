import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { generateValidatorModule } from '../../packages/compiler/src/targets/kfp/schema/standalone.ts'

describe('precompiled KFP validators', () => {
  it('match the schemas they were generated from (run `pnpm generate` after changing a schema)', () => {
    const committed = readFileSync(new URL('../../packages/compiler/src/targets/kfp/schema/generated/validators.js', import.meta.url), 'utf8')
    expect(committed === generateValidatorModule()).toBe(true)
  })
})
