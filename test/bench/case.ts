/**
 * One benchmark case, run in a fresh process by ./run.ts so that peak RSS belongs to this case only:
 *
 *   node --import tsx test/bench/case.ts <chain|fanout|lattice> <tasks> [kfp|kfp,argo]
 *
 * Builds the synthetic pipeline (timed separately), compiles it once (cold: includes the lazy
 * schema-validator compilation, as a CLI run would), once more (warm), then times the KFP phases
 * one by one (warm), and prints one JSON line. With `TYPEFLOW_BENCH_COLD_ONLY=1` (used for CPU
 * profiles) it stops after the cold compile; the warm and phase timings are then 0.
 */
import { performance } from 'node:perf_hooks'
import { analysePipeline } from '../../packages/compiler/src/analyse/analyse.ts'
import { computeCacheKeys } from '../../packages/compiler/src/passes/cache-keys.ts'
import { compile, emitKfp, type CompileOptions, type CompileResult } from '../../packages/compiler/src/compile.ts'
import { kfpHeader } from '../../packages/compiler/src/targets/kfp/header.ts'
import { validateKfpDocuments } from '../../packages/compiler/src/targets/kfp/schema/validate.ts'
import { toYamlDocuments, YamlFloat } from '../../packages/compiler/src/writer/yaml.ts'
import { type SyntheticShape, SYNTHETIC_SHAPES, syntheticPipeline } from './synthetic.ts'

/** Warm timings of the KFP pipeline's phases, in ms (what `compile` does for one kfp target). */
export interface PhaseTimes {
  readonly analyse: number
  readonly emit: number
  /** Content-addressed cache keys for every task (target: 10,000 tasks under 100 ms). */
  readonly keys: number
  readonly validate: number
  readonly yaml: number
}

export interface CaseResult {
  readonly shape: SyntheticShape
  readonly tasks: number
  readonly targets: readonly string[]
  readonly buildMs: number
  /** Wall time of the first compile in the process. */
  readonly compileMs: number
  /** CPU time (user + system, all threads) of the first compile: less sensitive to a busy machine. */
  readonly compileCpuMs: number
  readonly warmCompileMs: number
  readonly warmCompileCpuMs: number
  readonly phases: PhaseTimes
  /** Peak resident set size of the process after the first compile, in KiB. */
  readonly maxRssKiB: number
  /** Resident set size before building the pipeline (Node, tsx and the compiler modules loaded), in KiB. */
  readonly baselineRssKiB: number
  readonly outputBytes: number
  readonly files: readonly string[]
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}

function timed<T>(f: () => T): { value: T; ms: number; cpuMs: number } {
  const cpu = process.cpuUsage()
  const t = performance.now()
  const value = f()
  const ms = performance.now() - t
  const used = process.cpuUsage(cpu)
  return { value, ms, cpuMs: (used.user + used.system) / 1000 }
}


const [shapeArg, tasksArg, targetsArg = 'kfp'] = process.argv.slice(2)
const shape = shapeArg as SyntheticShape
if (!SYNTHETIC_SHAPES.includes(shape)) fail(`usage: case.ts <${SYNTHETIC_SHAPES.join('|')}> <tasks> [kfp|kfp,argo]`)
const tasks = Number(tasksArg)
const targets = targetsArg.split(',')
// Targets are checked at run time: 'argo' is only accepted once the Argo target exists.
const options = { targets } as unknown as CompileOptions

const baselineRssKiB = Math.round(process.memoryUsage().rss / 1024)
const build = timed(() => syntheticPipeline(shape, tasks))
const pipeline = build.value

const cold = timed((): CompileResult => compile(pipeline, options))
const maxRssKiB = process.resourceUsage().maxRSS
const result = cold.value
if (!result.ok) fail(`compile failed: ${JSON.stringify(result.diagnostics.slice(0, 5))}`)
const coldOnly = process.env['TYPEFLOW_BENCH_COLD_ONLY'] === '1'
const skipped = { ms: 0, cpuMs: 0 }
const warm = coldOnly ? skipped : timed(() => compile(pipeline, options))

let phases: PhaseTimes = { analyse: 0, keys: 0, emit: 0, validate: 0, yaml: 0 }
if (!coldOnly) {
  const analysis = timed(() => analysePipeline(pipeline))
  if (!analysis.value.ok) fail('analysis failed')
  const analysed = analysis.value.pipeline
  const keys = timed(() => computeCacheKeys(analysed))
  const emitted = timed(() => emitKfp(analysed))
  const validation = timed(() => validateKfpDocuments(emitted.value, { floatValue: (v) => (v instanceof YamlFloat ? v.value : undefined) }))
  const yaml = timed(() => kfpHeader(pipeline) + toYamlDocuments(emitted.value))
  phases = { analyse: analysis.ms, keys: keys.ms, emit: emitted.ms, validate: validation.ms, yaml: yaml.ms }
}

const out: CaseResult = {
  shape,
  tasks,
  targets,
  buildMs: build.ms,
  compileMs: cold.ms,
  compileCpuMs: cold.cpuMs,
  warmCompileMs: warm.ms,
  warmCompileCpuMs: warm.cpuMs,
  phases,
  maxRssKiB,
  baselineRssKiB,
  outputBytes: result.files.reduce((sum, f) => sum + Buffer.byteLength(f.content), 0),
  files: result.files.map((f) => f.path),
}
process.stdout.write(`${JSON.stringify(out)}\n`)
