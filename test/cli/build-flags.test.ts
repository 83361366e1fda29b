/**
 * `build(import.meta, pipeline)` run as a program: its flags are checked as the CLI checks them
 * (exit 2, nothing written), and importing it again and again (`typeflow compile --watch`) adds
 * no listeners.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const file = join(root, 'test/fixtures/cli/builds-itself.ts')

function runFile(...args: string[]) {
  const out = mkdtempSync(join(tmpdir(), 'typeflow-build-'))
  const run = spawnSync(process.execPath, ['--import', 'tsx', file, '--out-dir', join(out, 'dist'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  return { code: run.status, stderr: run.stderr, written: existsSync(join(out, 'dist')) ? readdirSync(join(out, 'dist')).sort() : [] }
}

describe('build() flags', () => {
  it('writes both targets by default, and the one --target names', () => {
    expect(runFile()).toMatchObject({ code: 0, written: ['builds-itself.argo.yaml', 'builds-itself.kfp.yaml'] })
    expect(runFile('--target', 'argo')).toMatchObject({ code: 0, written: ['builds-itself.argo.yaml'] })
  })

  it.each([
    [['--target', 'argos'], 'error: --target takes kfp, argo or kfp,argo (got "argos")'],
    [['--caching', 'maybe'], 'error: --caching must be on or off (got "maybe")'],
    [['--kfp-cache-keys', 'both'], 'error: --kfp-cache-keys must be content or backend (got "both")'],
    [['--cluster', 'mars'], 'error: unknown cluster profile "mars"; use gke, nvidia-gfd, karpenter or custom:<node label>'],
    [['--strict', '--target'], 'error: --target needs a value'],
  ])('%j is a usage error: exit 2, nothing written', (args, message) => {
    expect(runFile(...args)).toEqual({ code: 2, stderr: `${message}\n`, written: [] })
  })
})

describe('build() imported many times', () => {
  it('installs its handler of uncaught errors once per process', () => {
    // Inside vitest the handler is left to the test runner: count in a process of its own.
    const script = `
      import { tsImport } from 'tsx/esm/api'
      const before = process.listenerCount('uncaughtException')
      for (let i = 0; i < 12; i++) await tsImport(${JSON.stringify(pathToFileURL(join(root, 'packages/compiler/src/build.ts')).href)}, import.meta.url)
      console.log(process.listenerCount('uncaughtException') - before)
    `
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.stdout.trim()).toBe('1')
  })
})
