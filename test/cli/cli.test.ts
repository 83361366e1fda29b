import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const bin = join(root, 'packages/cli/bin/typeflow.mjs')

function typeflow(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

const tmp = () => mkdtempSync(join(tmpdir(), 'typeflow-cli-'))

describe('typeflow CLI', () => {
  it('prints an overview; no command is a usage error (2), --help is not (0)', () => {
    expect(typeflow().code).toBe(2)
    const help = typeflow('--help')
    expect(help.code).toBe(0)
    for (const command of ['compile', 'validate', 'check', 'plan']) expect(help.stdout).toContain(command)
    expect(typeflow('frobnicate').code).toBe(2)
    const compileHelp = typeflow('compile', '--help')
    expect(compileHelp.code).toBe(0)
    expect(compileHelp.stdout).toContain('--out-dir')
  })

  it('compile writes the KFP file; bad flags are usage errors', () => {
    const out = tmp()
    const ok = typeflow('compile', 'examples/quickstart/pipeline.ts', '--out-dir', out)
    expect(ok.code).toBe(0)
    expect(readFileSync(join(out, 'quickstart.kfp.yaml'), 'utf8')).toContain('# PIPELINE DEFINITION')
    expect(typeflow('compile', 'examples/quickstart/pipeline.ts', '--caching', 'maybe').code).toBe(2)
    expect(typeflow('compile', '--bogus').code).toBe(2)
    expect(typeflow('compile').code).toBe(2)
    const typo = typeflow('compile', 'examples/quickstart/pipeline.ts', '--targt', 'kfp')
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(/^typeflow compile: unknown option --targt \(did you mean --target\?\) \(the options of compile are below\)\n/)
  })

  it('compile reports diagnostics as text, JSON or GitHub annotations, exit 1, writing nothing', () => {
    const dir = tmp()
    // Inside the repository, so the file resolves @typeflow/dsl like a user's pipeline would.
    const file = join(root, 'test/fixtures/cli', `.tmp-bad-${process.pid}.ts`)
    writeFileSync(file, `import { component, pipeline } from '@typeflow/dsl'\nconst s = component({ name: 's', image: 'i' })\nexport default pipeline({ name: 'Bad Name' }, (dag) => { dag.task(s) })\n`)
    const out = join(dir, 'out')
    const text = typeflow('compile', file, '--out-dir', out)
    expect(text.code).toBe(1)
    expect(text.stderr).toMatch(/error .*bad-\d+\.ts:3:\d+ - E_INVALID_NAME: pipeline name "Bad Name"/)
    expect(existsSync(out)).toBe(false)
    const json = typeflow('compile', file, '--out-dir', out, '--format', 'json')
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout).diagnostics[0]).toMatchObject({ code: 'E_INVALID_NAME', source: { line: 3 } })
    const github = typeflow('compile', file, '--out-dir', out, '--format', 'github')
    expect(github.stderr).toMatch(/^::error file=.*bad-\d+\.ts,line=3,col=\d+,title=E_INVALID_NAME::/)
    spawnSync('rm', ['-f', file])
  })

  it('validate accepts our output and reports unknown fields with their path', () => {
    const out = tmp()
    typeflow('compile', 'examples/random-forest/pipeline.ts', '--out-dir', out)
    const file = join(out, 'random-forest.kfp.yaml')
    expect(typeflow('validate', file).code).toBe(0)
    writeFileSync(file, readFileSync(file, 'utf8').replace('schemaVersion: 2.1.0', 'schemaVersion: 2.1.0\nschemaVersoin: 2.1.0'))
    const bad = typeflow('validate', file)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('unknown field "schemaVersoin"')
    writeFileSync(file, 'a: [unclosed\n')
    expect(typeflow('validate', file).code).toBe(1)
  })

  it('check reports TypeScript errors and Typeflow diagnostics together', () => {
    const dir = join(root, 'test/fixtures/cli')
    const copy = join(dir, `.tmp-type-error-${process.pid}.ts`)
    writeFileSync(copy, readFileSync(join(dir, 'type-error.ts'), 'utf8').replace(/\s*\/\/ @ts-expect-error.*\n/, '\n'))
    try {
      const run = typeflow('check', copy, '--format', 'json')
      expect(run.code).toBe(1)
      const codes = JSON.parse(run.stdout).diagnostics.map((d: { code: string }) => d.code)
      expect(codes).toContain('TS2322')
      expect(codes).toContain('E_TYPE_MISMATCH')
      expect(typeflow('check', 'examples/quickstart/pipeline.ts').code).toBe(0)
    } finally {
      spawnSync('rm', ['-f', copy])
    }
  })

  it('plan shows keys, resources, peak accelerators and the critical path', () => {
    const run = typeflow('plan', 'examples/fraud-training/pipeline.ts', '--format', 'json')
    expect(run.code).toBe(0)
    const plan = JSON.parse(run.stdout)
    expect(plan.accelerators.peak).toEqual({ 'nvidia.com/gpu': 1 })
    expect(plan.criticalPath.steps[0].task).toBe('validate-schema')
    const train = plan.tasks.find((t: { name: string }) => t.name === 'train-model')
    expect(train.cache.key).toMatch(/^[0-9a-f]{64}$/)
    expect(train.cache.dependsOnInputs).toEqual(['learningRate', 'transactionsUri'])
    const other = JSON.parse(typeflow('plan', 'examples/fraud-training/pipeline.ts', '--format', 'json', '--param', 'learningRate=0.1').stdout)
    expect(other.tasks.find((t: { name: string }) => t.name === 'train-model').cache.key).not.toBe(train.cache.key)
    expect(other.tasks.find((t: { name: string }) => t.name === 'validate-schema').cache.key).toBe(plan.tasks.find((t: { name: string }) => t.name === 'validate-schema').cache.key)
  })
})
