/**
 * One benchmark case, run in a fresh process by ./run.ts so that peak RSS belongs to this case only:
 *
 *   node --import tsx test/bench/case.ts <chain|fanout|lattice|nested> <tasks> [kfp|kfp,argo]
 *
 * Builds the synthetic pipeline (timed separately), compiles it once (cold: includes the lazy
 * schema-validator compilation, as a CLI run would), and prints one JSON line. What else it does
 * is chosen by `TYPEFLOW_BENCH_MODE` (the cold result is printed first, on a line of its own):
 * - `full` (default): a second, warm compile, then the KFP phases one by one (warm);
 * - `warm`: the warm compile, no phases;
 * - `cold`: nothing more (big cases, CPU profiles); warm and phase timings are then 0.
 * A compile that fails (any diagnostic) or declares a different number of tasks exits with 2, or
 * with 3 when every diagnostic is the Argo target saying the pipeline does not fit its caps.
 */
import { performance } from 'node:perf_hooks'
import { allTasks } from '@typeflow/dsl'
import { analysePipeline } from '../../packages/compiler/src/analyse/analyse.ts'
import type { AnalysedPipeline } from '../../packages/compiler/src/analyse/graph.ts'
import { computeCacheKeys } from '../../packages/compiler/src/passes/cache-keys.ts'
import { compileInSteps, emitKfp, type CompileOptions, type CompileResult, type CompileStep } from '../../packages/compiler/src/compile.ts'
import { kfpHeader } from '../../packages/compiler/src/targets/kfp/header.ts'
import { validateKfpDocuments } from '../../packages/compiler/src/targets/kfp/schema/validate.ts'
import { toYamlDocumentsBytes, YamlFloat } from '../../packages/compiler/src/writer/yaml.ts'
import { type SyntheticShape, SYNTHETIC_SHAPES, syntheticPipeline } from './synthetic.ts'

/** Warm timings of the KFP pipeline's phases, in ms (what `compile` does for one kfp target). */
export interface PhaseTimes {
  readonly analyse: number
  readonly emit: number
  /** Content-addressed cache keys for every task, warm: the third computation in the process (target: 10,000 tasks under 100 ms). */
  readonly keys: number
  /** The same, the first computation in the process (the KFP target with backend keys does not make keys, so nothing has run the pass before): JIT warm-up included, as one CLI run pays it. */
  readonly keysFirstCall: number
  readonly validate: number
  readonly yaml: number
}

/** Milliseconds per step of one compile (see `compileInSteps`); steps that did not run are absent. */
export type StepTimes = Partial<Record<CompileStep, number>>

/** What a case process measures; `TYPEFLOW_BENCH_MODE` picks one. */
export type CaseMode = 'full' | 'warm' | 'cold'

export interface CaseResult {
  readonly shape: SyntheticShape
  readonly tasks: number
  readonly targets: readonly string[]
  readonly mode: CaseMode
  readonly buildMs: number
  /** Wall time of the first compile in the process. */
  readonly compileMs: number
  /** CPU time (user + system, all threads) of the first compile: less sensitive to a busy machine. */
  readonly compileCpuMs: number
  /** Milliseconds from process start to the end of the first compile: Node + tsx start-up, module loading, build, compile. */
  readonly processMs: number
  readonly warmCompileMs: number
  readonly warmCompileCpuMs: number
  /** The cold compile's steps, timed inside it. */
  readonly coldSteps: StepTimes
  /** The warm compile's steps (empty in `cold` mode). */
  readonly warmSteps: StepTimes
  readonly phases: PhaseTimes
  /** Peak resident set size of the process after the first compile, in KiB. */
  readonly maxRssKiB: number
  /** Resident set size before building the pipeline (Node, tsx and the compiler modules loaded), in KiB. */
  readonly baselineRssKiB: number
  /** Policy warnings of the compile (the synthetic pipelines are meant to have none). */
  readonly warnings: number
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
const modeEnv = process.env['TYPEFLOW_BENCH_MODE'] ?? 'full'
if (modeEnv !== 'full' && modeEnv !== 'warm' && modeEnv !== 'cold') fail(`TYPEFLOW_BENCH_MODE must be full, warm or cold, got ${modeEnv}`)
const mode: CaseMode = modeEnv
// Target names are checked by `compile` itself at run time.
const options = { targets } as unknown as CompileOptions

const baselineRssKiB = Math.round(process.memoryUsage().rss / 1024)
const build = timed(() => syntheticPipeline(shape, tasks))
const pipeline = build.value
let declared = 0
for (const _ of allTasks(pipeline.body)) declared++
if (declared !== tasks) fail(`synthetic ${shape} pipeline declares ${declared} tasks, expected ${tasks}`)

/** One compile, timed as a whole and step by step (each step from the end of the one before). */
function timedCompile(): { value: CompileResult; ms: number; cpuMs: number; steps: StepTimes } {
  const steps: StepTimes = {}
  let last = 0
  const stepEnded = (step: CompileStep) => {
    const now = performance.now()
    steps[step] = (steps[step] ?? 0) + now - last
    last = now
  }
  const compiled = timed((): CompileResult => {
    last = performance.now()
    return compileInSteps(pipeline, options, stepEnded)
  })
  return { ...compiled, steps }
}

const cold = timedCompile()
const processMs = performance.now()
const maxRssKiB = process.resourceUsage().maxRSS
const result = cold.value
if (!result.ok) {
  // The Argo target's own limits (a pipeline it cannot fit under the v4 caps) are a result, not a
  // broken benchmark input: exit 3 with the diagnostic.
  if (result.diagnostics.every((d) => d.code === 'E_SCHEMA' && d.path[0] === 'argo')) {
    process.stderr.write(`not expressible in Argo (${result.diagnostics.length} diagnostics): ${result.diagnostics[0]!.message}\n`)
    process.exit(3)
  }
  fail(`compile failed with ${result.diagnostics.length} diagnostics, first ones: ${JSON.stringify(result.diagnostics.slice(0, 5))}`)
}
const skipped = { ms: 0, cpuMs: 0, steps: {} }
const outputBytes = result.files.reduce((sum, f) => sum + (f.parts?.reduce((n, part) => n + part.length, 0) ?? Buffer.byteLength(f.content)), 0)
const report = (m: CaseMode, warmTimes: { ms: number; cpuMs: number; steps: StepTimes }, phases: PhaseTimes): CaseResult => ({
  shape,
  tasks,
  targets,
  mode: m,
  buildMs: build.ms,
  compileMs: cold.ms,
  compileCpuMs: cold.cpuMs,
  processMs,
  warmCompileMs: warmTimes.ms,
  warmCompileCpuMs: warmTimes.cpuMs,
  coldSteps: cold.steps,
  warmSteps: warmTimes.steps,
  phases,
  maxRssKiB,
  baselineRssKiB,
  warnings: result.warnings.length,
  outputBytes,
  files: result.files.map((f) => f.path),
})
// The cold result first, on its own line: if the process is stopped during the warm compile or
// the phases (a timeout), the cold compile still counts. The last line is the complete result.
process.stdout.write(`${JSON.stringify(report('cold', skipped, { analyse: 0, keys: 0, keysFirstCall: 0, emit: 0, validate: 0, yaml: 0 }))}\n`)
if (mode === 'cold') process.exit(0)
const warm = timedCompile()

let phases: PhaseTimes = { analyse: 0, keys: 0, keysFirstCall: 0, emit: 0, validate: 0, yaml: 0 }
if (mode === 'full') {
  const analysis = timed(() => analysePipeline(pipeline))
  if (!analysis.value.ok) fail('analysis failed')
  const analysed = analysis.value.pipeline
  const keysFirstCall = timed(() => computeCacheKeys(analysed))
  // Keys are memoized per analysed graph: warm runs need graphs of their own.
  const again = (): AnalysedPipeline => {
    const result = analysePipeline(pipeline)
    if (!result.ok) fail('analysis failed')
    return result.pipeline
  }
  computeCacheKeys(again())
  const fresh = again()
  const keys = timed(() => computeCacheKeys(fresh))
  const emitted = timed(() => emitKfp(analysed))
  const validation = timed(() => validateKfpDocuments(emitted.value, { floatValue: (v) => (v instanceof YamlFloat ? v.value : undefined) }))
  const yaml = timed(() => toYamlDocumentsBytes(emitted.value, undefined, kfpHeader(pipeline)))
  phases = { analyse: analysis.ms, keys: keys.ms, keysFirstCall: keysFirstCall.ms, emit: emitted.ms, validate: validation.ms, yaml: yaml.ms }
}

process.stdout.write(`${JSON.stringify(report(mode, warm, phases))}\n`)
