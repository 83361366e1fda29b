/**
 * Running a pipeline on this machine from code: the same engine as `typeflow run`.
 * `tsx docs/examples/run-locally.ts` runs `numbers` (function-components.ts) twice.
 */
import { createProgress, formatSummary, runPipeline, type RunResult } from '@typeflow/runtime/runner'
import { numbers } from './function-components.ts'

/** Runs `numbers` with `count` = 5; a second call with the same store comes from the cache. */
export async function runNumbers(storeDir = '.typeflow'): Promise<RunResult> {
  const progress = createProgress()
  try {
    return await runPipeline(numbers, {
      params: { count: 5 },
      storeDir,
      // Function components run as local Node processes; containers would need docker or podman.
      containerRuntime: 'none',
      onEvent: progress.onEvent,
    })
  } finally {
    progress.close()
  }
}

if (process.argv[1] === import.meta.filename) {
  for (let i = 0; i < 2; i++) {
    const result = await runNumbers()
    console.log(result.status, result.outputs, formatSummary(result)) // succeeded { total: 15 } …
  }
}
