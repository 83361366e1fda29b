import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')

function runPipelineFile(file: string) {
  const outDir = mkdtempSync(join(tmpdir(), 'typeflow-out-'))
  const run = spawnSync(process.execPath, ['--import', 'tsx', file, '--out-dir', outDir], { cwd: root, encoding: 'utf8' })
  return { ...run, outDir, written: existsSync(outDir) ? readdirSync(outDir) : [] }
}

describe('`tsx pipeline.ts` as users run it', () => {
  it('writes dist/<name>.kfp.yaml for a good pipeline', () => {
    const run = runPipelineFile('examples/quickstart/pipeline.ts')
    expect(run.status).toBe(0)
    expect(run.written).toContain('quickstart.kfp.yaml')
    expect(readFileSync(join(run.outDir, 'quickstart.kfp.yaml'), 'utf8')).toMatch(/^# PIPELINE DEFINITION\n# Name: quickstart\n/)
  })

  it.each([
    ['cycle.ts', 'E_CYCLE', /cycle\.ts:7:\d+ - E_CYCLE at tasks\.a: tasks depend on each other in a cycle: a -> b -> a/],
    ['invalid-name.ts', 'E_INVALID_NAME', /invalid-name\.ts:7:\d+ - E_INVALID_NAME at tasks\.Train_Model: .*try "train-model"/],
    ['malformed-component.ts', 'E_COMPONENT_YAML', /broken-component\.yaml:5:\d+ - E_COMPONENT_YAML: malformed YAML/],
  ])('%s fails with %s, its location, no stack trace, and writes nothing', (file, _code, expected) => {
    const run = runPipelineFile(`test/fixtures/bad/${file}`)
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(expected)
    expect(run.stderr).toContain('nothing was written')
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(run.written).toEqual([])
  })
})
