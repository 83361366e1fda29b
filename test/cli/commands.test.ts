/**
 * What every `typeflow` command promises: `--help` (exit 0), unknown flags rejected (exit 2,
 * naming the flag), and diagnostics as JSON on stdout or GitHub annotations on stderr.
 * (compile's formats and check's JSON are in cli.test.ts.)
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { typeflowInProcess } from './in-process.ts'

const root = resolve(import.meta.dirname, '../..')
const invalid = join(root, 'test/fixtures/cli/invalid-name.ts')
const throwsOnImport = join(root, 'test/fixtures/cli/throws-on-import.ts')

const typeflow = typeflowInProcess

/** A separate process: source locations of loaded pipelines come from tsx's source maps, which vitest's own handling hides in-process. */
function spawned(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  delete env['FORCE_COLOR']
  const run = spawnSync(process.execPath, [join(root, 'packages/cli/bin/typeflow.mjs'), ...args], { cwd: root, encoding: 'utf8', env })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

const commands = ['compile', 'run', 'plan', 'graph', 'check', 'import', 'validate'] as const

describe('every command', () => {
  it.each(commands)('%s --help prints its usage (exit 0)', async (command) => {
    const help = await typeflow(command, '--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(new RegExp(`typeflow ${command} <`))
    expect(help.stderr).toBe('')
    // Every command that prints diagnostics says how to choose their format.
    expect(help.stdout).toMatch(/text\|json\|github/)
  })

  it.each(commands)('%s rejects an unknown flag (exit 2) and names it', async (command) => {
    const bad = await typeflow(command, 'some-file', '--frobnicate')
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toMatch(/(unknown|Unknown) option '?--frobnicate/)
  })

  it.each(['compile', 'run', 'plan', 'check', 'import', 'validate'])('%s rejects a diagnostics format it does not know (exit 2)', async (command) => {
    const bad = await typeflow(command, 'some-file', '--format', 'xml')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--format must be text, json or github (got "xml")')
  })
})

describe('diagnostics as JSON and GitHub annotations', () => {
  /** The fixture's one diagnostic, as JSON on stdout and as an annotation on stderr. */
  const expectBoth = async (args: readonly string[], formatFlag = '--format') => {
    const json = spawned(...args, formatFlag, 'json')
    expect(json.code, json.stderr).toBe(1)
    expect(JSON.parse(json.stdout).diagnostics).toEqual([expect.objectContaining({ code: 'E_INVALID_NAME', path: ['tasks', 'Train_Model'], source: { file: invalid, line: 7, column: 7 } })])
    const github = spawned(...args, formatFlag, 'github')
    expect(github.code).toBe(1)
    expect(github.stderr).toMatch(/^::error file=.*invalid-name\.ts,line=7,col=7,title=E_INVALID_NAME::tasks\.Train_Model: task name "Train_Model" is not a valid Kubernetes name/m)
  }

  it('run: checked before anything runs', async () => {
    await expectBoth(['run', invalid, '--host', '--param', 'x=1'])
    const text = spawned('run', invalid, '--host')
    expect(text.code).toBe(1)
    expect(text.stderr).toContain('E_INVALID_NAME at tasks.Train_Model')
  })

  it('plan', async () => {
    await expectBoth(['plan', invalid])
    const json = await typeflow('plan', invalid, '--json')
    expect(JSON.parse(json.stdout).diagnostics[0].code).toBe('E_INVALID_NAME')
  })

  it('graph: --diagnostics-format, since --format names the drawing', async () => {
    await expectBoth(['graph', invalid], '--diagnostics-format')
    expect((spawned('graph', invalid, '--diagnostics-format', 'xml')).code).toBe(2)
  })

  it('check: GitHub annotations', async () => {
    const github = spawned('check', invalid, '--format', 'github')
    expect(github.code).toBe(1)
    expect(github.stderr).toMatch(/^::error file=.*invalid-name\.ts,line=7,col=7,title=E_INVALID_NAME::/m)
  })

  // The CLI imports the file with modules of its own (tsx's scoped import): the DSL's error class
  // there is another copy, and its errors were once reported as E_IO at line 1.
  it.each([
    ['compile', '--format'],
    ['plan', '--format'],
    ['run', '--format'],
    ['check', '--format'],
    ['graph', '--diagnostics-format'],
  ])('%s: an error the DSL throws while the file is imported keeps its code and location', (command, formatFlag) => {
    const json = spawned(command, throwsOnImport, formatFlag, 'json')
    expect(json.code, json.stderr).toBe(1)
    expect(JSON.parse(json.stdout).diagnostics).toEqual([expect.objectContaining({ code: 'E_INVALID_OUTPUT', source: { file: throwsOnImport, line: 9, column: 7 } })])
  })

  it('validate and import: malformed YAML with its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'typeflow-commands-'))
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'a: [unclosed\n')
    for (const [command, code] of [['validate', 'E_SCHEMA'], ['import', 'E_COMPONENT_YAML']] as const) {
      const json = await typeflow(command, file, '--format', 'json')
      expect(json.code).toBe(1)
      expect(JSON.parse(json.stdout).diagnostics).toEqual([expect.objectContaining({ code, source: { file, line: 2, column: 1 } })])
      expect(JSON.parse(json.stdout).diagnostics[0].message).toMatch(/^malformed YAML: .*[^:]$/)
      const github = await typeflow(command, file, '--format', 'github')
      expect(github.code).toBe(1)
      expect(github.stderr).toMatch(new RegExp(`^::error file=${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')},line=2,col=1,title=${code}::malformed YAML`, 'm'))
    }
  })
})

describe('options several commands share', () => {
  const gpu = join(root, 'examples/gpu-finetune/pipeline.ts')
  const caching = join(root, 'docs/examples/caching.ts')

  it('--target must name targets: a typo is a usage error, not a KFP compile', async () => {
    for (const target of ['argos', 'KFP', '', 'kfp,yaml']) {
      const run = await typeflow('compile', caching, '--target', target, '--out-dir', mkdtempSync(join(tmpdir(), 'typeflow-target-')))
      expect(run.code, target).toBe(2)
      expect(run.stderr).toContain(`--target takes kfp, argo or kfp,argo (got "${target}")`)
    }
  })

  it('compile --format json prints one JSON document: warnings and the files written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'typeflow-json-'))
    const run = await typeflow('compile', caching, '--target', 'kfp,argo', '--out-dir', out, '--format', 'json')
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report.diagnostics.length).toBeGreaterThan(0)
    expect(new Set(report.diagnostics.map((d: { code: string; severity: string }) => `${d.code} ${d.severity}`))).toEqual(new Set(['W_UNPINNED_IMAGE warning']))
    expect(report.written).toEqual([join(out, 'etl.kfp.yaml'), join(out, 'etl.argo.yaml')])
  })

  it('check compiles both targets as build() does, prints warnings, and fails on them with --strict', async () => {
    const ok = await typeflow('check', caching)
    expect(ok.code).toBe(0)
    expect(ok.stderr).toContain('W_UNPINNED_IMAGE')
    expect(ok.stdout).toMatch(/^1 file ok \(\d+ warnings?\)\n$/)
    expect((await typeflow('check', caching, '--strict')).code).toBe(1)
    // Artifacts collected from a loop: KFP takes them, Argo cannot express them.
    const kfpOnly = join(root, 'test/fixtures/cli/kfp-only.ts')
    expect((await typeflow('check', kfpOnly, '--target', 'kfp')).code).toBe(0)
    const both = await typeflow('check', kfpOnly, '--format', 'json')
    expect(both.code).toBe(1)
    expect(JSON.parse(both.stdout).diagnostics).toEqual([expect.objectContaining({ code: 'E_SCHEMA', severity: 'error', message: expect.stringContaining('the Argo target cannot express a fan-in of artifacts') })])
  })

  it('check takes file.ts#name like the other commands: the file is type-checked, the export compiled', async () => {
    const named = await typeflow('check', `${caching}#audit`, '--format', 'json')
    expect(named.code).toBe(0)
    // audit runs its image in 3 tasks (no publish task); etl, the default export, in 4.
    const messages = JSON.parse(named.stdout).diagnostics.map((d: { message: string }) => d.message)
    expect(messages).toEqual([expect.stringContaining('(it runs 3 tasks; this is the first)')])
    expect((await typeflow('check', `${caching}#nope`)).stderr).toContain('does not export "nope"')
  })

  it.each([
    ['check', []],
    ['plan', []],
    ['graph', ['--format', 'mermaid']],
    ['run', ['--format', 'json', '--container-runtime', 'none']],
  ])('%s takes --cluster (or TYPEFLOW_CLUSTER) for a pipeline that names accelerator models', async (command, extra) => {
    const without = await typeflow(command, gpu, ...extra)
    expect(without.code).toBe(1)
    expect(without.stdout + without.stderr).toContain('needs a cluster profile')
    const withCluster = await typeflow(command, gpu, '--cluster', 'gke', ...extra)
    expect(withCluster.stdout + withCluster.stderr).not.toContain('needs a cluster profile')
    expect((await typeflow(command, gpu, '--cluster', 'mars', ...extra)).code).toBe(2)
    process.env['TYPEFLOW_CLUSTER'] = 'gke'
    try {
      const fromEnv = await typeflow(command, gpu, ...extra)
      expect(fromEnv.stdout + fromEnv.stderr).not.toContain('needs a cluster profile')
    } finally {
      delete process.env['TYPEFLOW_CLUSTER']
    }
  })
})

describe('check without a tsconfig.json', () => {
  it("uses options Typeflow's packages typecheck with, instead of reporting errors in their sources", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'typeflow-no-tsconfig-'))
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
    const file = join(dir, 'pipeline.ts')
    writeFileSync(file, `import { component, pipeline } from '@typeflow/dsl'\nconst s = component({ name: 's', image: 'alpine@sha256:${'7'.repeat(64)}', command: ['true'] })\nexport default pipeline({ name: 'p' }, (dag) => { dag.task(s) })\n`)
    const run = await typeflow('check', file, '--format', 'json')
    expect(JSON.parse(run.stdout).diagnostics).toEqual([])
    expect(run.code).toBe(0)
  })
})

describe('validate', () => {
  it('checks KFP IR and Argo manifests against their own schemas, each problem at its line', async () => {
    const out = mkdtempSync(join(tmpdir(), 'typeflow-validate-'))
    expect((await typeflow('compile', join(root, 'docs/examples/caching.ts'), '--target', 'kfp,argo', '--out-dir', out)).code).toBe(0)
    const kfp = join(out, 'etl.kfp.yaml')
    const argo = join(out, 'etl.argo.yaml')
    const good = await typeflow('validate', kfp, argo)
    expect(good).toMatchObject({ code: 0, stdout: '2 files valid\n' })
    const lineOf = (file: string, text: string) => readFileSync(file, 'utf8').split('\n').indexOf(text) + 1
    writeFileSync(argo, readFileSync(argo, 'utf8').replace(/^ {2}entrypoint: (.*)$/m, '  entrypoint: $1\n  entrypont: $1'))
    writeFileSync(kfp, readFileSync(kfp, 'utf8').replace('schemaVersion: 2.1.0', 'schemaVersion: 2.1.0\nschemaVersoin: 2.1.0'))
    const bad = await typeflow('validate', kfp, argo, '--format', 'json')
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout).diagnostics).toEqual([
      expect.objectContaining({ code: 'E_SCHEMA', path: [], message: expect.stringContaining('unknown field "schemaVersoin"'), source: { file: kfp, line: lineOf(kfp, 'schemaVersoin: 2.1.0'), column: 1 } }),
      expect.objectContaining({ code: 'E_SCHEMA', path: ['document 1', 'spec'], message: 'unknown field "entrypont" (did you mean "entrypoint"?)', source: { file: argo, line: lineOf(argo, '  entrypont: etl'), column: 3 } }),
    ])
    // A value outside a closed set names the set.
    writeFileSync(argo, readFileSync(argo, 'utf8').replace(/^ {2}entrypont: .*\n/m, '').replace(/^( +)strategy: OnPod\w+$/m, '$1strategy: OnWorkflowDone'))
    const values = await typeflow('validate', argo, '--format', 'json')
    expect(JSON.parse(values.stdout).diagnostics.map((d: { message: string }) => d.message)).toEqual([
      '"OnWorkflowDone" is not allowed; must be one of "OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess"',
    ])
  })
})
