import { describe, expect, it } from 'vitest'
import { component, pipeline, type PipelineNode } from '@typeflow/dsl'
import { analysePipeline, checkPolicies, type PolicySettings } from '@typeflow/compiler'

const pinned = `ghcr.io/acme/train@sha256:${'a'.repeat(64)}`
const train = component({ name: 'train', image: pinned, command: ['train'] })
const loose = component({ name: 'loose', image: 'ghcr.io/acme/train:latest', command: ['train'] })

function findings(p: PipelineNode, settings: PolicySettings = {}, strict = false) {
  const analysis = analysePipeline(p)
  if (!analysis.ok) throw new Error(JSON.stringify(analysis.diagnostics))
  return checkPolicies(analysis.pipeline, settings, strict).map((d) => `${d.severity} ${d.code} ${d.path.join('.')}`)
}

describe('platform policies', () => {
  it('a GPU task without a memory limit is an error; with one it passes', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      dag.task(train, {}, { name: 'no-limit', resources: { accelerator: { type: 'nvidia.com/gpu', count: 1 } } })
      dag.task(train, {}, { name: 'limited', resources: { memoryLimit: '16Gi', accelerator: { type: 'nvidia.com/gpu' } } })
    })
    expect(findings(p)).toEqual(['error E_GPU_WITHOUT_MEMORY_LIMIT tasks.no-limit.resources'])
  })

  it('an image not pinned by digest is a warning, an error with --strict, nothing when off', () => {
    const p = pipeline({ name: 'p' }, (dag) => void dag.task(loose))
    expect(findings(p)).toEqual(['warning W_UNPINNED_IMAGE tasks.loose.image'])
    expect(findings(p, {}, true)).toEqual(['error W_UNPINNED_IMAGE tasks.loose.image'])
    expect(findings(p, { W_UNPINNED_IMAGE: 'off' })).toEqual([])
  })

  it('says so once per image, at the first task running it, with how many do', () => {
    const other = component({ name: 'other', image: 'ghcr.io/acme/other:1', command: ['x'] })
    const p = pipeline({ name: 'p' }, (dag) => {
      for (let i = 0; i < 30; i++) dag.task(loose, {}, { name: `l-${i}` })
      dag.task(other)
      dag.task(train)
    })
    const analysis = analysePipeline(p)
    if (!analysis.ok) throw new Error()
    const found = checkPolicies(analysis.pipeline)
    expect(found.map((d) => d.path.join('.'))).toEqual(['tasks.l-0.image', 'tasks.other.image'])
    expect(found[0]!.message).toContain('(it runs 30 tasks; this is the first)')
    expect(found[1]!.message).not.toContain('it runs')
  })

  it('a literal value in an env var named like a credential is an error', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      dag.task(train, {}, { env: { AWS_SECRET_ACCESS_KEY: 'abc', DB_PASSWORD: 'hunter2', GITHUB_TOKEN: 'x', LOG_LEVEL: 'debug', API_KEY: 'k' } })
    })
    expect(findings(p)).toEqual([
      'error E_LITERAL_SECRET tasks.train.env.AWS_SECRET_ACCESS_KEY',
      'error E_LITERAL_SECRET tasks.train.env.DB_PASSWORD',
      'error E_LITERAL_SECRET tasks.train.env.GITHUB_TOKEN',
      'error E_LITERAL_SECRET tasks.train.env.API_KEY',
    ])
  })

  it('GPU tasks retry at most once by default; CPU tasks may retry more', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      dag.task(train, {}, { name: 'gpu', resources: { memoryLimit: '8Gi', accelerator: { type: 'nvidia.com/gpu' } }, retry: { count: 3 } })
      dag.task(train, {}, { name: 'gpu-once', resources: { memoryLimit: '8Gi', accelerator: { type: 'nvidia.com/gpu' } }, retry: { count: 1 } })
      dag.task(train, {}, { name: 'io', retry: { count: 5, backoff: '10s' } })
    })
    expect(findings(p)).toEqual(['warning W_GPU_RETRIES tasks.gpu.retry'])
    expect(findings(p, { W_GPU_RETRIES: 'error' })).toEqual(['error W_GPU_RETRIES tasks.gpu.retry'])
  })
})
