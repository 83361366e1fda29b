/**
 * The `typeflow` CLI run inside the test process (no tsx start-up per call, much faster on a busy
 * machine), with what it prints captured.
 */
import { vi } from 'vitest'
import { main } from '../../packages/cli/src/main.ts'

/** Runs `typeflow <args>` in this process; its exit code and what it wrote. */
export async function typeflowInProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = await typeflowInProcessCatching(...args)
  if (run.threw !== undefined) throw run.threw
  return { code: run.code!, stdout: run.stdout, stderr: run.stderr }
}

/** Like {@link typeflowInProcess}, but an exception is returned with what was printed before it. */
export async function typeflowInProcessCatching(...args: string[]): Promise<{ code: number | undefined; stdout: string; stderr: string; threw?: unknown }> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true))
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true))
  try {
    return { code: await main(args), stdout, stderr }
  } catch (threw) {
    return { code: undefined, stdout, stderr, threw }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}
