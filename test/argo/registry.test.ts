/**
 * The template registry: identical bodies are one template, and once every template is made the
 * lookups are dropped, so that a template made later (a bug) fails loudly instead of being a copy.
 */
import { describe, expect, it } from 'vitest'
import { resolveArgoOptions } from '../../packages/compiler/src/targets/argo/options.ts'
import { EmitContext } from '../../packages/compiler/src/targets/argo/registry.ts'

describe('template registry', () => {
  const body = (image: string) => ({ container: { image, command: ['run'] } })

  it('makes one template per distinct body, whatever asks for it', () => {
    const ctx = new EmitContext(resolveArgoOptions(), 'p', false)
    const a = ctx.intern('container', 'train', body('a'))
    expect(ctx.intern('container', 'other-name', body('a'))).toBe(a)
    expect(ctx.intern('container', 'train', body('b'))).not.toBe(a)
    expect(ctx.templates.map((t) => t.name)).toEqual(['train', 'train-2'])
  })

  it('refuses a template made after sealTemplates, and keeps those made before', () => {
    const ctx = new EmitContext(resolveArgoOptions(), 'p', false)
    ctx.intern('container', 'train', body('a'))
    ctx.sealTemplates()
    expect(() => ctx.intern('container', 'train', body('a'))).toThrow(/after the templates were sealed/)
    expect(ctx.templates).toHaveLength(1)
  })
})
