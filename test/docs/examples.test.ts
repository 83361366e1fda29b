/**
 * The documentation's examples are real code:
 * - every `<!-- example: docs/examples/… -->` marker in docs/ is followed by a fenced block equal
 *   to that file, and every example file is shown somewhere (docs cannot drift from the code);
 * - the examples are part of the project's typecheck (`tsc -p tsconfig.json`) and typecheck
 *   cleanly (those meant to show a type error say so with `@ts-expect-error`);
 * - every exported pipeline compiles to KFP and Argo with no error diagnostics, and the output
 *   passes what test/argo/examples.test.ts checks: our strict schemas, `argo-validate.mjs
 *   --no-unknown-fields` against schema.json and the v4 CRDs (when ../shared is present), the
 *   same graph in the KFP IR and the Argo DAG, and the same bytes when compiled twice.
 *   Pipelines meant to fail are listed below with the diagnostic codes they must produce;
 * - what the guides claim about running locally, policies and `typeflow import` holds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ts from 'typescript'
import { parseAllDocuments } from 'yaml'
import type { DiagnosticCode, PipelineNode } from '@typeflow/dsl'
import { compile, validateKfpDocuments, type CompileOptions } from '@typeflow/compiler'
import { validateArgoDocuments } from '../../packages/compiler/src/targets/argo/schema.ts'
import { argoGraphShape, kfpGraphShape } from '../../packages/compiler/src/targets/graph-shape.ts'
import { importKfp } from '../../packages/cli/src/import/index.ts'
import { failures, runArgoValidate, sharedAvailable, warnings, writeTemp } from '../argo/helpers.ts'
import { exampleFiles, exampleMarkers, markdownFiles, repoRoot } from './markdown.ts'

/** argo-validate.mjs compiles the 2.7 MB CRDs on every run: give it room on a busy machine. */
const VALIDATOR_TIMEOUT = 300_000

/** Pipelines the guides show failing on purpose, with the codes they must fail with (sorted). */
const EXPECTED_FAILURES: Readonly<Record<string, readonly DiagnosticCode[]>> = {
  'docs/examples/parameters-and-artifacts.ts#miswired': ['E_TYPE_MISMATCH'],
  'docs/examples/function-imports.ts#captures': ['E_FUNCTION_CAPTURE'],
  'docs/examples/policies.ts#risky': ['E_GPU_WITHOUT_MEMORY_LIMIT', 'E_LITERAL_SECRET'],
}

const absolute = (file: string) => path.join(repoRoot, file)
const stripFinalNewline = (text: string) => text.replace(/\n$/, '')

function isPipeline(value: unknown): value is PipelineNode {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'pipeline'
}

/** One pipeline export compiled with one set of options. */
interface Case {
  readonly id: string
  readonly file: string
  readonly pipeline: PipelineNode
  readonly options: CompileOptions
}

const modules = new Map<string, Record<string, unknown>>()
for (const file of exampleFiles) modules.set(file, (await import(absolute(file))) as Record<string, unknown>)

/** Every exported pipeline (a default export that repeats a named one counts once), with each variant of `compileOptions`. */
const cases: Case[] = []
for (const [file, module] of modules) {
  const raw = module['compileOptions'] ?? {}
  const variants = (Array.isArray(raw) ? raw : [raw]) as CompileOptions[]
  for (const [name, value] of Object.entries(module).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!isPipeline(value)) continue
    if (name === 'default' && Object.entries(module).some(([other, v]) => other !== 'default' && v === value)) continue
    variants.forEach((options, i) => cases.push({ id: `${file}#${name}${variants.length > 1 ? `[${i}]` : ''}`, file, pipeline: value, options }))
  }
}
const expectedFailure = (c: Case) => EXPECTED_FAILURES[c.id.replace(/\[\d+\]$/, '')]

const compiled = cases.map((c) => ({ ...c, result: compile(c.pipeline, { ...c.options, targets: ['kfp', 'argo'] }) }))
const succeeded = compiled.filter((c) => expectedFailure(c) === undefined)

describe('examples shown in the docs', () => {
  const markers = markdownFiles.flatMap(exampleMarkers)

  it('every marker is followed by a fenced block equal to its file', () => {
    expect(markers.length).toBeGreaterThan(0)
    for (const m of markers) {
      const where = `${m.doc}:${m.line} (${m.file})`
      expect(m.fence, `${where}: no fenced block after the marker`).toBeDefined()
      const text = readFileSync(absolute(m.file), 'utf8')
      expect(m.fence!.lang, where).toBe(path.extname(m.file).slice(1))
      expect(m.fence!.body, `${where}: the block differs from the file; paste the file again`).toBe(stripFinalNewline(text))
    }
  })

  it('every example file is shown in a guide', () => {
    const shown = new Set(markers.map((m) => m.file))
    expect(exampleFiles.filter((f) => !shown.has(f))).toEqual([])
  })

  it('typechecks as part of tsconfig.json', () => {
    const config = ts.getParsedCommandLineOfConfigFile(absolute('tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)) } })
    expect(config).toBeDefined()
    const included = new Set(config!.fileNames.map((f) => path.resolve(f)))
    expect(exampleFiles.filter((f) => !included.has(absolute(f))), 'add "docs" to the include of tsconfig.json').toEqual([])
    const program = ts.createProgram(exampleFiles.map(absolute), config!.options)
    const problems = exampleFiles.flatMap((f) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(absolute(f))).map((d) => {
        const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined
        return `${d.file ? path.relative(repoRoot, d.file.fileName) : ''}${at ? `:${at.line + 1}:${at.character + 1}` : ''} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
      }),
    )
    expect(problems).toEqual([])
  })
})

describe('example pipelines compile to KFP and Argo', () => {
  const byKind = (ext: string) => succeeded.flatMap((c) => (c.result.ok ? c.result.files.filter((f) => f.path.endsWith(ext)).map((f) => ({ id: c.id, text: f.content })) : []))
  let argoFiles: string[] = []
  beforeAll(() => {
    argoFiles = writeTemp(byKind('.argo.yaml').map((f) => ({ name: f.id, text: f.text })))
  })

  it('has pipelines to compile', () => {
    expect(succeeded.length).toBeGreaterThanOrEqual(20)
    const warningCount = succeeded.reduce((n, c) => n + (c.result.ok ? c.result.warnings.length : 0), 0)
    console.log(`docs examples: ${exampleFiles.length} files, ${cases.length} pipeline compiles (${succeeded.length} expected to succeed, ${cases.length - succeeded.length} to fail); ${warningCount} policy warnings`)
  })

  it.each(succeeded.map((c) => [c.id, c] as const))('%s: no error diagnostics, one file per target', (_id, c) => {
    const result = c.result
    expect(result.ok ? [] : result.diagnostics.map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`)).toEqual([])
    if (!result.ok) return
    expect(result.files.map((f) => f.path)).toEqual([`${c.pipeline.name}.kfp.yaml`, `${c.pipeline.name}.argo.yaml`])
  })

  it.each(succeeded.map((c) => [c.id, c] as const))('%s: valid output, the same graph on both targets, the same bytes twice', (_id, c) => {
    if (!c.result.ok) throw new Error('did not compile')
    const [kfp, argo] = c.result.files.map((f) => parseAllDocuments(f.content).map((d) => d.toJS() as unknown))
    expect(validateKfpDocuments(kfp!)).toEqual([])
    expect(validateArgoDocuments(argo!)).toEqual([])
    const shape = kfpGraphShape(kfp!)
    expect(shape.tasks.length).toBeGreaterThan(0)
    expect(argoGraphShape(argo!)).toEqual(shape)
    const again = compile(c.pipeline, { ...c.options, targets: ['kfp', 'argo'] })
    expect(again.ok && again.files.map((f) => f.content)).toEqual(c.result.files.map((f) => f.content))
  })

  it.skipIf(!sharedAvailable).each(['schema', 'crd'] as const)('the Argo files pass argo-validate.mjs --no-unknown-fields (%s)', (mode) => {
    const run = runArgoValidate(argoFiles, mode)
    console.log(`argo-validate (${mode}) on the docs examples: ${run.summary.documents} documents, ${run.summary.pass} pass, ${run.summary.fail} fail, ${run.summary.error} error`)
    expect(failures(run)).toEqual([])
    expect(warnings(run)).toEqual([])
    expect(run.summary.pass).toBe(run.summary.documents)
    expect(run.summary.documents).toBeGreaterThanOrEqual(argoFiles.length)
  }, VALIDATOR_TIMEOUT)

  it('pipelines shown failing fail with exactly their documented codes', () => {
    const ids = new Set(compiled.map((c) => c.id.replace(/\[\d+\]$/, '')))
    expect(Object.keys(EXPECTED_FAILURES).filter((id) => !ids.has(id)), 'stale entries in EXPECTED_FAILURES').toEqual([])
    for (const c of compiled) {
      const expected = expectedFailure(c)
      if (expected === undefined) continue
      expect(c.result.ok, c.id).toBe(false)
      const codes = c.result.ok ? [] : [...new Set(c.result.diagnostics.map((d) => d.code))].sort()
      expect(codes, c.id).toEqual(expected)
    }
  })
})

describe('what the guides claim', () => {
  it('policies.ts: the results its comments state', async () => {
    const policies = modules.get('docs/examples/policies.ts')!
    expect(policies['riskyCodes']).toEqual(['E_GPU_WITHOUT_MEMORY_LIMIT', 'E_LITERAL_SECRET'])
    expect(policies['relaxedWarnings']).toEqual(['W_UNPINNED_IMAGE', 'E_LITERAL_SECRET'])
    expect(policies['strictCodes']).toEqual(['W_UNPINNED_IMAGE'])
  })

  it('migration: `typeflow import ingest.kfp.yaml` writes the committed ingest.imported.ts', () => {
    const yamlFile = 'docs/examples/migration/ingest.kfp.yaml'
    const result = importKfp(readFileSync(absolute(yamlFile), 'utf8'), undefined, { file: yamlFile })
    expect(result.warnings).toEqual([])
    expect(result.code, 'regenerate with: pnpm typeflow import docs/examples/migration/ingest.kfp.yaml --out docs/examples/migration/ingest.imported.ts').toBe(
      readFileSync(absolute('docs/examples/migration/ingest.imported.ts'), 'utf8'),
    )
  })

  describe('running locally', () => {
    const store = mkdtempSync(path.join(tmpdir(), 'typeflow-docs-'))
    afterAll(() => rmSync(store, { recursive: true, force: true }))

    it('run-locally.ts: `numbers` sums 1..5, then comes from the cache', async () => {
      const { runNumbers } = modules.get('docs/examples/run-locally.ts') as { runNumbers: (dir: string) => Promise<import('@typeflow/runtime/runner').RunResult> }
      const first = await runNumbers(store)
      expect(first.status).toBe('succeeded')
      expect(first.outputs).toEqual({ total: 15 })
      expect(first.tasks.map((t) => [t.path, t.state])).toEqual([['make-numbers', 'done'], ['summarize', 'done']])
      const second = await runNumbers(store)
      expect(second.outputs).toEqual({ total: 15 })
      expect(second.tasks.map((t) => t.state)).toEqual(['cached', 'cached'])
    })

    it('`typeflow run docs/examples/fmt.ts --host --output`: the texts fmt builds, as the guide shows them', async () => {
      const { runPipeline } = await import('@typeflow/runtime/runner')
      const printed: string[] = []
      const result = await runPipeline(modules.get('docs/examples/fmt.ts')!['greetings'] as PipelineNode, {
        storeDir: store,
        hostCommands: true,
        showOutput: true,
        cache: false,
        onEvent: (e) => {
          if (e.type === 'output') printed.push(e.line)
        },
      })
      expect(result.status).toBe('succeeded')
      expect(printed.sort()).toEqual(['Hello world, this is release v1.4.2 (build 42)', 'deploying v1.4.2 to eu', 'deploying v1.4.2 to us'])
    })
  })
})
