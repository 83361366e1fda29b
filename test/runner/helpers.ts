import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunEvent, RunResult, TaskRecord } from '../../packages/runtime/src/runner/index.ts'

const made: string[] = []

/** A fresh temporary directory, removed by {@link cleanup}. */
export function tempDir(prefix = 'typeflow-runner-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

/** Removes the directories made by {@link tempDir} (call it in `afterAll`). */
export function cleanup(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** Final state of every task, by path. */
export function states(result: RunResult): Record<string, TaskRecord['state']> {
  return Object.fromEntries(result.tasks.map((t) => [t.path, t.state]))
}

/** The record of one task. */
export function task(result: RunResult, path: string): TaskRecord {
  const found = result.tasks.find((t) => t.path === path)
  if (!found) throw new Error(`no task ${path}; tasks: ${result.tasks.map((t) => t.path).join(', ')}`)
  return found
}

/** Collects the runner's events. */
export function recorder(): { events: RunEvent[]; onEvent: (event: RunEvent) => void } {
  const events: RunEvent[] = []
  return { events, onEvent: (event) => void events.push(event) }
}
