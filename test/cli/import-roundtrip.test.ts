/**
 * `typeflow import` round trip over every KFP golden: import the YAML → write the module inside the
 * repository (so it resolves `@typeflow/dsl` like user code) → typecheck all modules with one
 * TypeScript program → load each with tsx's `tsImport` → `compile()` → compare with the golden.
 *
 * Comparison is the parity suite's: parsed YAML as plain data, ignoring only `sdkVersion`; every
 * document counts, so a golden with a PlatformSpec only passes if we reproduce it too. v1
 * `component.yaml` files round trip as components: the imported component and the one
 * `loadComponent` yields must compile to the same component and executor.
 *
 * Prints `import round trip: N/M` and every failure with a one-line reason, grouped. Set
 * `TYPEFLOW_KEEP_IMPORTS=1` to keep the generated modules in `test/.tmp-import/`.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path, { dirname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { tsImport } from 'tsx/esm/api'
import { pipeline, type ComponentDef, type PipelineNode } from '@typeflow/dsl'
import { loadComponent } from '@typeflow/dsl/kfp'
import { compile } from '../../packages/compiler/src/compile.ts'
import { importKfp } from '../../packages/cli/src/import/index.ts'

const here = dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '../..')
const goldenRoot = path.resolve(repo, '../shared/reference/kfp/golden')
const haveGoldens = existsSync(goldenRoot)

interface YamlDocument {
  readonly errors: readonly { readonly message: string }[]
  toJS(): unknown
}
interface YamlApi {
  parse(source: string): unknown
  parseAllDocuments(source: string): readonly YamlDocument[] | { readonly empty: true }
}
const yaml = createRequire(path.resolve(repo, 'packages/compiler/package.json'))('yaml') as YamlApi

/** The golden sets: [directory relative to the golden root, recursive]. */
const SETS: ReadonlyArray<readonly [string, boolean]> = [
  ['current/valid', true],
  ['legacy/pipelines', true],
  ['legacy/components', false],
  ['kubernetes/data', false],
  ['legacy/v1_component_yaml', false],
]

/** The achieved count: a regression guard (raise it when the importer or the DSL learns more). */
const EXPECTED_PASSING = 233

function yamlFiles(dir: string, recursive: boolean): string[] {
  const abs = path.join(goldenRoot, dir)
  if (!existsSync(abs)) return []
  return readdirSync(abs)
    .sort()
    .flatMap((name) => {
      const rel = `${dir}/${name}`
      if (statSync(path.join(goldenRoot, rel)).isDirectory()) return recursive ? yamlFiles(rel, true) : []
      return name.endsWith('.yaml') ? [rel] : []
    })
}

type Json = Record<string, unknown>
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The parity suite's only normalization: drop `sdkVersion`. */
function withoutSdkVersion(value: unknown): unknown {
  if (!isRecord(value)) return value
  const { sdkVersion: _ignored, ...rest } = value
  return rest
}

/** The first place two values differ, as `path: expected … got …` (one line). */
function firstDifference(expected: unknown, actual: unknown, at = ''): string | undefined {
  const show = (v: unknown) => {
    const text = JSON.stringify(v) ?? 'undefined'
    return text.length > 70 ? `${text.slice(0, 67)}...` : text
  }
  if (isRecord(expected) && isRecord(actual)) {
    for (const key of [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort()) {
      if (!(key in actual)) return `${at}.${key} missing`
      if (!(key in expected)) return `${at}.${key} unexpected (${show(actual[key])})`
      const d = firstDifference(expected[key], actual[key], `${at}.${key}`)
      if (d) return d
    }
    return undefined
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const d = firstDifference(expected[i], actual[i], `${at}[${i}]`)
      if (d) return d
    }
    return undefined
  }
  return Object.is(expected, actual) || JSON.stringify(expected) === JSON.stringify(actual) ? undefined : `${at || '.'}: expected ${show(expected)}, got ${show(actual)}`
}

/** A component and its executor, as found in a compiled PipelineSpec. */
function componentAndExecutor(spec: unknown, key: string): { component: unknown; executor: unknown } {
  const record = isRecord(spec) ? spec : {}
  const components = isRecord(record['components']) ? record['components'] : {}
  const component = components[key]
  const label = isRecord(component) ? component['executorLabel'] : undefined
  const deployment = isRecord(record['deploymentSpec']) && isRecord(record['deploymentSpec']['executors']) ? record['deploymentSpec']['executors'] : {}
  return { component, executor: typeof label === 'string' ? deployment[label] : undefined }
}

interface Case {
  readonly golden: string
  readonly v1: boolean
  file?: string
  code?: string
  warnings: readonly string[]
  failure?: { readonly stage: string; readonly reason: string }
}

const runDir = path.join(repo, 'test/.tmp-import', `run-${process.pid}`)
const cases: Case[] = haveGoldens ? SETS.flatMap(([dir, recursive]) => yamlFiles(dir, recursive)).map((golden) => ({ golden, v1: golden.startsWith('legacy/v1_component_yaml/'), warnings: [] })) : []

function moduleName(golden: string): string {
  return golden.replace(/\.yaml$/, '').replace(/[^A-Za-z0-9_]+/g, '__')
}

function compileFailure(diagnostics: readonly { code: string; path: readonly string[]; message: string }[]): string {
  const d = diagnostics[0]!
  return `${d.code} ${d.path.join('.')}: ${d.message.split('\n')[0]}${diagnostics.length > 1 ? ` (+${diagnostics.length - 1} more)` : ''}`
}

/** Failure groups: the cause, from the importer's warnings and the failing stage. */
const CAUSES: ReadonlyArray<readonly [RegExp, string]> = [
  [/malformed YAML/, 'golden is not valid YAML 1.2 (only PyYAML reads it)'],
  [/PlatformSpec pipelineConfig/, 'PlatformSpec pipelineConfig (a workspace): no DSL equivalent'],
  [/Kubernetes setting/, 'a Kubernetes executor setting the kubernetes task option cannot express'],
  [/PlatformSpec/, 'other PlatformSpec content: not read by the importer'],
  [/not declared by its component|not a constant quantity|accelerator .* is not constant/, 'values embedded in list/struct constants or resource fields: no DSL equivalent'],
  [/a pipeline output cannot declare/, 'pipeline output descriptions: no DSL equivalent'],
  [/default but is not marked optional/, 'an input default without isOptional (injected by the test harness): no DSL equivalent'],
  [/importer .*metadata built from pipeline values/, 'importer metadata built from pipeline values: no DSL equivalent'],
  [/only allows through dag\.oneOf|use dag\.oneOf\(\)/, 'a task output read outside its condition without OneOf: rejected by the DSL'],
]

function cause(c: Case): string {
  const text = [...c.warnings, c.failure!.reason].join('\n')
  return CAUSES.find(([pattern]) => pattern.test(text))?.[1] ?? c.failure!.stage
}

/** One-line reason for a mismatch: the first difference, and the importer's first warning as the likely cause. */
function mismatchReason(c: Case, difference: string): string {
  return c.warnings.length > 0 ? `${c.warnings[0]} [${difference}]` : difference
}

let passed = 0

describe.skipIf(!haveGoldens)('typeflow import round trip over the KFP goldens', () => {
  afterAll(() => {
    const failures = cases.filter((c) => c.failure)
    const groups = new Map<string, Case[]>()
    for (const c of failures) {
      const key = cause(c)
      groups.set(key, [...(groups.get(key) ?? []), c])
    }
    const lines = [`import round trip: ${passed}/${cases.length}`]
    for (const [stage, list] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
      lines.push(`  ${stage} (${list.length}):`)
      for (const c of list) lines.push(`    ${c.golden}: ${c.failure!.stage}: ${c.failure!.reason}`)
    }
    console.log(lines.join('\n'))
    if (!process.env['TYPEFLOW_KEEP_IMPORTS']) rmSync(runDir, { recursive: true, force: true })
  })

  it('imports every golden', () => {
    mkdirSync(runDir, { recursive: true })
    for (const c of cases) {
      const text = readFileSync(path.join(goldenRoot, c.golden), 'utf8')
      try {
        const result = importKfp(text, undefined, { file: c.golden })
        c.code = result.code
        c.warnings = result.warnings
        c.file = path.join(runDir, `${moduleName(c.golden)}.ts`)
        writeFileSync(c.file, result.code)
      } catch (error) {
        c.failure = { stage: 'import error', reason: (error as Error).message.split('\n')[0]! }
      }
    }
    expect(cases.length).toBeGreaterThan(0)
  })

  it('typechecks every generated module (one program)', () => {
    const files = cases.filter((c) => c.file).map((c) => c.file!)
    const config = ts.readConfigFile(path.join(repo, 'tsconfig.json'), ts.sys.readFile)
    const options = { ...ts.parseJsonConfigFileContent(config.config, ts.sys, repo).options, noEmit: true }
    const program = ts.createProgram(files, options)
    const byFile = new Map<string, string[]>()
    for (const d of ts.getPreEmitDiagnostics(program)) {
      if (d.category !== ts.DiagnosticCategory.Error || !d.file) continue
      const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0)
      const message = `TS${d.code} line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ').slice(0, 160)}`
      byFile.set(path.resolve(d.file.fileName), [...(byFile.get(path.resolve(d.file.fileName)) ?? []), message])
    }
    for (const c of cases) {
      const errors = c.file ? byFile.get(path.resolve(c.file)) : undefined
      if (errors && !c.failure) c.failure = { stage: 'typecheck', reason: `${errors[0]}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}` }
    }
  })

  it('compiles every module back and compares it with its golden', async () => {
    // One tsImport of a module that imports the others on demand: they share one @typeflow/dsl.
    const loaded = cases.filter((c) => c.file)
    const index = path.join(runDir, 'index.ts')
    writeFileSync(
      index,
      `export const loaders: Record<string, () => Promise<Record<string, unknown>>> = {\n${loaded
        .map((c) => `  ${JSON.stringify(c.golden)}: () => import(${JSON.stringify(`./${path.basename(c.file!)}`)}),`)
        .join('\n')}\n}\n`,
    )
    const { loaders } = (await tsImport(pathToFileURL(index).href, import.meta.url)) as { loaders: Record<string, () => Promise<Record<string, unknown>>> }
    for (const c of loaded) {
      let module: Record<string, unknown>
      try {
        module = await loaders[c.golden]!()
      } catch (error) {
        c.failure ??= { stage: 'load error', reason: (error as Error).message.split('\n')[0]! }
        continue
      }
      if (c.failure) continue
      const goldenText = readFileSync(path.join(goldenRoot, c.golden), 'utf8')
      if (c.v1) {
        const loaded = loadComponent(goldenText, c.golden)
        const ours = Object.values(module).find((v) => isRecord(v) && v['kind'] === 'container') as ComponentDef | undefined
        if (!ours) {
          c.failure = { stage: 'load error', reason: 'the module exports no component' }
          continue
        }
        const mirror = (component: ComponentDef) =>
          compile(pipeline({ name: 'v1-component', inputs: loaded.inputs }, (dag, p) => void dag.task(component, { ...p } as never)))
        const expected = mirror(loaded)
        const actual = mirror(ours)
        if (!expected.ok || !actual.ok) {
          c.failure = { stage: 'compile error', reason: compileFailure(!actual.ok ? actual.diagnostics : !expected.ok ? expected.diagnostics : []) }
          continue
        }
        const key = Object.keys((yaml.parse(expected.files[0]!.content) as Json)['components'] as Json)[0]!
        const difference = firstDifference(componentAndExecutor(yaml.parse(expected.files[0]!.content), key), componentAndExecutor(yaml.parse(actual.files[0]!.content), key))
        if (difference) c.failure = { stage: 'mismatch', reason: mismatchReason(c, difference) }
        else passed++
        continue
      }
      const pipelineNode = module['default'] as PipelineNode | undefined
      if (!isRecord(pipelineNode) || pipelineNode['kind'] !== 'pipeline') {
        c.failure = { stage: 'load error', reason: 'the module has no default-exported pipeline' }
        continue
      }
      const result = compile(pipelineNode, { policies: 'off' })
      if (!result.ok) {
        c.failure = { stage: 'compile error', reason: compileFailure(result.diagnostics) }
        continue
      }
      const docs = yaml.parseAllDocuments(goldenText) as readonly YamlDocument[]
      const expected = docs.map((d, i) => (i === 0 ? withoutSdkVersion(d.toJS()) : d.toJS()))
      const actual = (yaml.parseAllDocuments(result.files[0]!.content) as readonly YamlDocument[]).map((d, i) => (i === 0 ? withoutSdkVersion(d.toJS()) : d.toJS()))
      const difference = firstDifference(expected, actual)
      if (difference) c.failure = { stage: 'mismatch', reason: mismatchReason(c, difference) }
      else passed++
    }
    expect(passed).toBeGreaterThanOrEqual(EXPECTED_PASSING)
  }, 600_000)
})
