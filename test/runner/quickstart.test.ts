import { afterAll, describe, expect, it } from 'vitest'
import quickstart from '../../examples/quickstart/pipeline.ts'
import { runPipeline } from '../../packages/runtime/src/runner/index.ts'
import { cleanup, states, tempDir } from './helpers.ts'

afterAll(cleanup)

describe('the README quickstart, run locally', () => {
  it('runs without a cluster or docker; runs again from the cache; a changed parameter re-runs only what depends on it', async () => {
    const storeDir = tempDir()
    const first = await runPipeline(quickstart, { storeDir, containerRuntime: 'none' })
    expect(first.status).toBe('succeeded')
    expect(states(first)).toEqual({ say: 'done', repeat: 'done', count: 'done' })
    expect(first.outputs).toEqual({ lines: 3 })

    const again = await runPipeline(quickstart, { storeDir, containerRuntime: 'none' })
    expect(states(again)).toEqual({ say: 'cached', repeat: 'cached', count: 'cached' })
    expect(again.outputs).toEqual({ lines: 3 })

    const more = await runPipeline(quickstart, { storeDir, containerRuntime: 'none', params: { times: 5 } })
    expect(states(more)).toEqual({ say: 'cached', repeat: 'done', count: 'done' })
    expect(more.outputs).toEqual({ lines: 5 })
  })
})
