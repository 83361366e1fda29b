/**
 * What the property suites share: the run budget (fixed seed and bounded runs in CI, many more
 * with `TYPEFLOW_DEEP=1`, i.e. `pnpm test:deep`), running a property while counting and printing
 * the pipelines it generated, compiling without letting an exception escape, and reading the
 * compiled YAML back.
 *
 * - `TYPEFLOW_SEED=<n>` replays another seed (a failing run prints its seed and shrunk counterexample).
 * - `TYPEFLOW_DEEP=1` gives every property its deep number of runs (see {@link runs}; about 10x).
 * - `TYPEFLOW_KNOWN_BUGS=1` lets the generator produce what KNOWN_BUGS lists.
 */
import fc from 'fast-check'
import type { Diagnostic, PipelineNode } from '@typeflow/dsl'
import { formatDiagnostic } from '@typeflow/dsl'
import { analysePipeline } from '../../packages/compiler/src/analyse/analyse.ts'
import { compile, type CompileOptions, type CompileResult, type Target } from '../../packages/compiler/src/compile.ts'
import { computeCacheKeys, type TaskCacheKey } from '../../packages/compiler/src/passes/cache-keys.ts'
import { parseYamlPreservingFloats, YamlFloat } from '../../packages/compiler/src/writer/yaml.ts'

export const DEEP = (process.env['TYPEFLOW_DEEP'] ?? '') !== '' && process.env['TYPEFLOW_DEEP'] !== '0'
export const SEED = Number(process.env['TYPEFLOW_SEED'] ?? 20_250_611)
export const KNOWN = (process.env['TYPEFLOW_KNOWN_BUGS'] ?? '') === '1'
/** Per-test timeout: generous, since the machine running CI may be busy; deep runs take minutes. */
export const TIMEOUT = DEEP ? 1_800_000 : 180_000

/** The number of runs of a property: `ci` in CI, `deep` with TYPEFLOW_DEEP=1. */
export function runs(ci: number, deep: number): number {
  return DEEP ? deep : ci
}

function report(name: string, generated: number, failed: boolean): void {
  console.log(`property ${name}: ${generated} pipelines (seed ${SEED}${DEEP ? ', deep' : ''})${failed ? ' FAILED (count includes shrinking)' : ''}`)
}

/** Runs a property with the fixed seed and prints how many pipelines it generated. */
export function check<T>(name: string, arb: fc.Arbitrary<T>, predicate: (value: T) => void, numRuns: number): void {
  let generated = 0
  let failed = true
  try {
    fc.assert(
      fc.property(arb, (value) => {
        generated++
        predicate(value)
      }),
      { seed: SEED, numRuns },
    )
    failed = false
  } finally {
    report(name, generated, failed)
  }
}

/** {@link check} for asynchronous predicates. */
export async function checkAsync<T>(name: string, arb: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, numRuns: number): Promise<void> {
  let generated = 0
  let failed = true
  try {
    await fc.assert(
      fc.asyncProperty(arb, async (value) => {
        generated++
        await predicate(value)
      }),
      { seed: SEED, numRuns },
    )
    failed = false
  } finally {
    report(name, generated, failed)
  }
}

export function describeFailure(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map(formatDiagnostic).join('\n')
}

/** Every code compile may report (anything else, or an exception, fails the never-throws properties). */
export const KNOWN_CODES: ReadonlySet<string> = new Set([
  'E_DUPLICATE_TASK', 'E_DUPLICATE_NAME', 'E_CYCLE', 'E_UNKNOWN_TASK', 'E_UNKNOWN_PIPELINE_INPUT', 'E_UNKNOWN_OUTPUT',
  'E_UNKNOWN_INPUT', 'E_MISSING_INPUT', 'E_TYPE_MISMATCH', 'E_INVALID_NAME', 'E_INVALID_CONSTANT', 'E_INVALID_OUTPUT',
  'E_INVALID_REFERENCE', 'E_INVALID_DURATION', 'E_INVALID_PLACEHOLDER', 'E_GPU_WITHOUT_MEMORY_LIMIT', 'E_LITERAL_SECRET',
])

/** Compiles; an exception becomes a test failure naming it (compile must report, never throw). */
export function compileSafely(p: PipelineNode, targets: readonly Target[], options: CompileOptions = {}): CompileResult {
  try {
    return compile(p, { ...options, targets })
  } catch (error) {
    throw new Error(`compile threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  }
}

/** Compiles and insists on success; returns the text of each target's file. */
export function compileOk(p: PipelineNode, targets: readonly Target[] = ['kfp', 'argo'], options: CompileOptions = {}): Partial<Record<Target, string>> {
  const result = compileSafely(p, targets, options)
  if (!result.ok) throw new Error(`expected ok:true, got diagnostics:\n${describeFailure(result.diagnostics)}`)
  const paths = result.files.map((f) => f.path)
  const expected = targets.map((t) => `${p.name}.${t}.yaml`)
  if (JSON.stringify(paths) !== JSON.stringify(expected)) throw new Error(`expected files ${expected.join(', ')}, got ${paths.join(', ')}`)
  return Object.fromEntries(targets.map((t, i) => [t, result.files[i]!.content]))
}

/** YAML 1.1 floats come back as YamlFloat; the IR holds plain numbers. */
export function plain(value: unknown): unknown {
  if (value instanceof YamlFloat) return value.value
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  return value
}

/** The documents of a compiled file, read as YAML 1.1 (PyYAML's reading, which the writer mirrors). */
export const documentsOf = (text: string): unknown[] => parseYamlPreservingFloats(text).map(plain)

/** Removes `source` locations (the DSL records them; generated IR has none). */
export function withoutSources(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSources)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'source').map(([k, v]) => [k, withoutSources(v)]))
  return value
}

export const sortNames = (xs: Iterable<string>): string[] => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

export type Json = Record<string, unknown>

/** The value as an object, or a failure naming where it is. */
export function obj(value: unknown, where: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: expected an object, got ${JSON.stringify(value)}`)
  return value as Json
}

/** Every task's cache key (`cachingDefault`: the global switch), failing loudly on diagnostics. */
export function keysOf(p: PipelineNode, cachingDefault?: boolean): ReadonlyMap<string, TaskCacheKey> {
  const analysis = analysePipeline(p, cachingDefault !== undefined ? { cachingDefault } : {})
  if (!analysis.ok) throw new Error(`analysis failed:\n${describeFailure(analysis.diagnostics)}`)
  return computeCacheKeys(analysis.pipeline)
}
