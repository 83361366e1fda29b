/**
 * Compile benchmark: synthetic pipelines of 1,000, 10,000 and 100,000 tasks in five shapes
 * (chain, fan-out, layered lattice, nested loops and conditions, and one built with the DSL as
 * users write pipelines; test/bench/synthetic.ts),
 * compiled to KFP and to KFP + Argo, plus the TypeScript type-checking budget of a 200-task
 * pipeline file (test/bench/fixtures/pipeline-200.ts).
 *
 *   pnpm bench                       # everything; writes test/bench/results.md and results.json
 *   pnpm bench --quick               # 1,000 and 10,000 tasks only
 *   pnpm bench --sizes 1000,30000    # other sizes (env BENCH_SIZES)
 *   pnpm bench --reps 7              # runs per case below --large-from (default 5; env BENCH_REPS)
 *   pnpm bench --reps-large 2        # runs per case from --large-from on (default 3; env BENCH_REPS_LARGE)
 *   pnpm bench --large-from 50000    # what counts as large (default 100000)
 *   pnpm bench --shapes nested,chain # some shapes only (env BENCH_SHAPES)
 *   pnpm bench --timeout 300         # seconds before a case process is killed (default 120; env BENCH_TIMEOUT_S)
 *   pnpm bench --heap 4096           # --max-old-space-size of case processes, MiB (default 4096; env BENCH_HEAP_MIB)
 *   pnpm bench --typecheck-runs 5    # runs of the type-checking case (default 3); --no-typecheck skips it
 *   pnpm bench --profile             # also CPU-profile one 10,000-task compile per shape and target set
 *   pnpm bench --from-json           # measure nothing: write results.md (and the verdicts) again from results.json
 *
 * Every run is a fresh child process (test/bench/case.ts), so every compile is a cold one, like a
 * CLI run, and peak RSS belongs to that case. Cases below --large-from also time a second, warm
 * compile (KFP-only ones the KFP phases apart too); larger ones time the cold compile only. Every
 * compile is timed step by step from inside (`compileInSteps`). A case that runs out of time,
 * memory or stack is recorded with what stopped it (and the peak RSS seen until then) instead of
 * aborting the bench; larger sizes of that shape and target set are then skipped. The process
 * exits with 1 only when a benchmark input is wrong (compile diagnostics, type errors in the
 * fixture), not for a missed target.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CaseMode, CaseResult, PhaseTimes, StepTimes } from './case.ts'
import type { CompileStep } from '../../packages/compiler/src/compile.ts'
import { SYNTHETIC_SHAPES, type SyntheticShape } from './synthetic.ts'
import type { TypecheckResult } from './typecheck-case.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, '../..')
const caseFile = path.join(here, 'case.ts')
const typecheckFile = path.join(here, 'typecheck-case.ts')
const tscFile = path.join(repoRoot, 'node_modules', 'typescript', 'lib', 'tsc.js')
const tscProject = path.join(here, 'fixtures', 'tsconfig.pipeline-200.json')
const exitUsageFile = path.join(here, 'exit-usage.cjs')

// ---------------------------------------------------------------------------------------------
// Configuration

interface Config {
  readonly sizes: readonly number[]
  readonly reps: number
  readonly repsLarge: number
  readonly largeFrom: number
  readonly shapes: readonly SyntheticShape[]
  readonly timeoutS: number
  readonly heapMiB: number
  readonly typecheckRuns: number
  readonly profile: boolean
  /** Measure nothing: render results.md again from results.json (after a change to the report). */
  readonly fromJson: boolean
}

function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`)
    if (i < 0) return undefined
    const value = argv[i + 1]
    if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`)
    return value
  }
  const positive = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback
    const n = Number(text)
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${text}`)
    return n
  }
  const list = (text: string | undefined): string[] | undefined => text?.split(',').map((s) => s.trim()).filter(Boolean)
  const quick = argv.includes('--quick')
  const sizes = (list(flag('sizes') ?? env['BENCH_SIZES']) ?? (quick ? ['1000', '10000'] : ['1000', '10000', '100000'])).map((s) => positive('sizes', s, 0))
  const shapes = list(flag('shapes') ?? env['BENCH_SHAPES']) ?? [...SYNTHETIC_SHAPES]
  for (const s of shapes) if (!SYNTHETIC_SHAPES.includes(s as SyntheticShape)) throw new Error(`unknown shape ${s}; shapes: ${SYNTHETIC_SHAPES.join(', ')}`)
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    reps: positive('reps', flag('reps') ?? env['BENCH_REPS'], 5),
    repsLarge: positive('reps-large', flag('reps-large') ?? env['BENCH_REPS_LARGE'], 3),
    largeFrom: positive('large-from', flag('large-from'), 100_000),
    shapes: shapes as SyntheticShape[],
    timeoutS: positive('timeout', flag('timeout') ?? env['BENCH_TIMEOUT_S'], 120),
    heapMiB: positive('heap', flag('heap') ?? env['BENCH_HEAP_MIB'], 4096),
    typecheckRuns: argv.includes('--no-typecheck') ? 0 : positive('typecheck-runs', flag('typecheck-runs'), 3),
    profile: argv.includes('--profile'),
    fromJson: argv.includes('--from-json'),
  }
}

/** The issue's targets. */
const TARGETS = {
  /** 10,000 tasks to both targets. */
  medium: { tasks: 10_000, ms: 1_000, mib: 512 },
  /** 100,000 tasks to both targets. */
  large: { tasks: 100_000, ms: 15_000, mib: 2_048 },
  /** Cache keys of 10,000 tasks. */
  keys: { tasks: 10_000, ms: 100 },
  /** `tsc --noEmit` of a 200-task pipeline file. */
  typecheck: { ms: 3_000 },
} as const

// ---------------------------------------------------------------------------------------------
// Child processes

/** Why a case process did not produce a result. */
export interface CaseFailure {
  readonly reason: 'timeout' | 'out of memory' | 'crash' | 'diagnostics' | 'not expressible'
  /** The first lines of what it wrote to stderr, with the first Typeflow source location. */
  readonly message: string
  readonly afterMs: number
  /** Highest VmHWM seen while it ran (Linux), in KiB. */
  readonly peakRssKiB: number | null
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: CaseFailure }

function vmHwmKiB(pid: number): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : null
  } catch {
    return null
  }
}

/** The lines of a Node error worth keeping: the message and the first frame in our sources. */
function errorSummary(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean)
  const message = lines.find((l) => /^(\w*Error|FATAL ERROR|compile failed|not expressible|synthetic |.*type errors)/.test(l)) ?? lines[0] ?? '(no output)'
  const frame = lines.find((l) => /^at .*(packages|test)\/.*\.ts:\d+/.test(l))
  return frame ? `${message} ${frame.replace(/file:\/\//, '').replace(`${repoRoot}/`, '')}` : message
}

function runNode<T>(script: string, args: readonly string[], config: Config, extraNodeArgs: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, [`--max-old-space-size=${config.heapMiB}`, ...extraNodeArgs, '--import', 'tsx', script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-64 * 1024)))
    let peak: number | null = null
    const poll = setInterval(() => {
      const now = child.pid === undefined ? null : vmHwmKiB(child.pid)
      if (now !== null) peak = Math.max(peak ?? 0, now)
    }, 250)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, config.timeoutS * 1000)
    child.on('close', (status) => {
      clearInterval(poll)
      clearTimeout(timer)
      const afterMs = performance.now() - started
      const lines = stdout.split('\n').filter((l) => l.startsWith('{'))
      // A case prints its cold result before the warm compile: a timeout after it keeps that.
      if ((status === 0 && !timedOut) || (timedOut && lines.length > 0)) {
        resolve({ ok: true, value: JSON.parse(lines[lines.length - 1]!) as T })
        return
      }
      const reason: CaseFailure['reason'] = timedOut
        ? 'timeout'
        : /heap out of memory|Allocation failed/.test(stderr)
          ? 'out of memory'
          : status === 2
            ? 'diagnostics'
            : status === 3
              ? 'not expressible'
              : 'crash'
      const message = timedOut ? `killed after ${config.timeoutS} s` : errorSummary(stderr)
      resolve({ ok: false, failure: { reason, message, afterMs, peakRssKiB: peak } })
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Compile cases

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const mib = (kib: number): number => Math.round((kib / 1024) * 10) / 10
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits
const fmtInt = (n: number): string => n.toLocaleString('en-US')
const seconds = (ms: number): string => `${round(ms / 1000, 2)} s`

export interface BenchRow {
  readonly shape: SyntheticShape
  readonly targets: string
  readonly tasks: number
  /** Successful runs. */
  readonly runs: number
  /** Set when the case did not complete (no numbers then, except what the failure carries). */
  readonly failure?: CaseFailure
  /** Set when the case was not run at all, and why. */
  readonly skipped?: string
  readonly compileMsMedian: number
  readonly compileMsMin: number
  readonly compileMsMax: number
  /** CPU time (user + system, all threads) of the cold compile: closer to the uncontended wall time on a busy machine. */
  readonly compileCpuMsMedian: number
  /** Process start to end of the cold compile (Node + tsx start-up, module loading, build, compile). */
  readonly processMsMedian: number
  /** Null when no run timed a warm compile. */
  readonly warmCompileMsMedian: number | null
  readonly warmCompileCpuMsMedian: number | null
  /** Median time of each step inside the cold compile (see `compileInSteps`); null when not measured. */
  readonly coldSteps: StepTimes | null
  /** The same for the warm compile; null when no run timed one. */
  readonly warmSteps: StepTimes | null
  /** Median warm time of each KFP phase; null when no run timed them. */
  readonly phases: PhaseTimes | null
  readonly buildMsMedian: number
  readonly peakRssMiB: number
  readonly baselineRssMiB: number
  readonly outputBytes: number
  readonly warnings: number
  /** 1-minute load average when each run started: max over runs. */
  readonly loadMax: number
  /** log(t2/t1)/log(n2/n1) against the previous size of the same shape (cold compile), null for the smallest. */
  readonly scalingExponent: number | null
  readonly warmScalingExponent: number | null
}

type MeasuredRow = BenchRow & { readonly failure?: undefined; readonly skipped?: undefined }
const measured = (r: BenchRow | undefined): r is MeasuredRow => r !== undefined && r.failure === undefined && r.skipped === undefined && r.runs > 0

function emptyRow(shape: SyntheticShape, targets: string, tasks: number, extra: { failure?: CaseFailure; skipped?: string }): BenchRow {
  return {
    shape,
    targets,
    tasks,
    runs: 0,
    ...extra,
    compileMsMedian: NaN,
    compileMsMin: NaN,
    compileMsMax: NaN,
    compileCpuMsMedian: NaN,
    processMsMedian: NaN,
    warmCompileMsMedian: null,
    warmCompileCpuMsMedian: null,
    coldSteps: null,
    warmSteps: null,
    phases: null,
    buildMsMedian: NaN,
    peakRssMiB: extra.failure?.peakRssKiB != null ? mib(extra.failure.peakRssKiB) : NaN,
    baselineRssMiB: NaN,
    outputBytes: NaN,
    warnings: 0,
    loadMax: NaN,
    scalingExponent: null,
    warmScalingExponent: null,
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`)
}

/** The steps of a compile, in the order it runs them. */
const COMPILE_STEPS: readonly CompileStep[] = ['prepare', 'analyse', 'checks', 'kfp emit', 'kfp validate', 'kfp yaml', 'argo emit', 'argo validate']

/** Median per step over runs (a step counts where it ran); null without runs. Old results.json rows have none. */
function medianSteps(runs: readonly (StepTimes | undefined)[]): StepTimes | null {
  const timed = runs.filter((r): r is StepTimes => r !== undefined)
  if (timed.length === 0) return null
  const steps: StepTimes = {}
  for (const step of COMPILE_STEPS) {
    const values = timed.map((r) => r[step]).filter((v): v is number => v !== undefined)
    if (values.length > 0) steps[step] = round(median(values))
  }
  return steps
}

async function measureSize(config: Config, shape: SyntheticShape, targets: string, tasks: number, previous: BenchRow | undefined, kfpRow: BenchRow | undefined): Promise<BenchRow> {
  if (previous && !measured(previous)) return emptyRow(shape, targets, tasks, { skipped: `${fmtInt(previous.tasks)} tasks did not complete` })
  if (kfpRow?.failure && (kfpRow.failure.reason === 'timeout' || kfpRow.failure.reason === 'out of memory')) {
    return emptyRow(shape, targets, tasks, { skipped: `the KFP target alone did not complete (${kfpRow.failure.reason})` })
  }
  const large = tasks >= config.largeFrom
  let reps = large ? config.repsLarge : config.reps
  // Both targets below the large sizes: a warm compile too, so that the steps show the warm-up.
  let mode: CaseMode = large ? 'cold' : targets === 'kfp' ? 'full' : 'warm'
  const results: CaseResult[] = []
  const loads: number[] = []
  for (let i = 0; i < reps; i++) {
    loads.push(os.loadavg()[0]!)
    const outcome: Outcome<CaseResult> = await runNode<CaseResult>(caseFile, [shape, String(tasks), targets], config, [], { TYPEFLOW_BENCH_MODE: mode })
    const label = `  ${shape.padEnd(8)} ${targets.padEnd(9)} ${String(tasks).padStart(7)} tasks  run ${i + 1}/${reps}`
    if (!outcome.ok) {
      const f = outcome.failure
      log(`${label}: FAILED (${f.reason}) after ${seconds(f.afterMs)}${f.peakRssKiB !== null ? `, peak RSS ${mib(f.peakRssKiB)} MiB` : ''}: ${f.message}`)
      return emptyRow(shape, targets, tasks, { failure: f })
    }
    const r: CaseResult = outcome.value
    results.push(r)
    // Cut by the timeout after its cold compile: later runs time the cold compile only.
    if (r.mode !== mode) mode = 'cold'
    log(
      `${label}: compile ${r.compileMs.toFixed(0)} ms (cpu ${r.compileCpuMs.toFixed(0)} ms${r.mode !== 'cold' ? `; warm ${r.warmCompileMs.toFixed(0)} ms` : ''}), build ${r.buildMs.toFixed(0)} ms, peak RSS ${mib(r.maxRssKiB)} MiB, load ${loads[i]!.toFixed(2)}`,
    )
    // Slow cases: 3 runs at most, and the warm compile and phases of the first run only.
    if (i === 0 && r.compileMs > 10_000) {
      reps = Math.min(reps, 3)
      mode = 'cold'
    }
  }
  const withWarm = results.filter((r) => r.mode !== 'cold')
  const withPhases = results.filter((r) => r.mode === 'full')
  const phase = (key: keyof PhaseTimes) => round(median(withPhases.map((r) => r.phases[key])))
  const prev = measured(previous) ? previous : undefined
  const compileMsMedian = median(results.map((r) => r.compileMs))
  const warmCompileMsMedian = withWarm.length > 0 ? median(withWarm.map((r) => r.warmCompileMs)) : null
  const exponent = (t2: number | null, t1: number | null) => (prev && t1 !== null && t2 !== null ? round(Math.log(t2 / t1) / Math.log(tasks / prev.tasks), 2) : null)
  return {
    shape,
    targets,
    tasks,
    runs: results.length,
    compileMsMedian: round(compileMsMedian),
    compileMsMin: round(Math.min(...results.map((r) => r.compileMs))),
    compileMsMax: round(Math.max(...results.map((r) => r.compileMs))),
    compileCpuMsMedian: round(median(results.map((r) => r.compileCpuMs))),
    processMsMedian: round(median(results.map((r) => r.processMs))),
    warmCompileMsMedian: warmCompileMsMedian === null ? null : round(warmCompileMsMedian),
    warmCompileCpuMsMedian: withWarm.length > 0 ? round(median(withWarm.map((r) => r.warmCompileCpuMs))) : null,
    coldSteps: medianSteps(results.map((r) => r.coldSteps)),
    warmSteps: medianSteps(withWarm.map((r) => r.warmSteps)),
    phases: withPhases.length > 0 ? { analyse: phase('analyse'), keys: phase('keys'), keysFirstCall: phase('keysFirstCall'), emit: phase('emit'), validate: phase('validate'), yaml: phase('yaml') } : null,
    buildMsMedian: round(median(results.map((r) => r.buildMs))),
    peakRssMiB: mib(Math.max(...results.map((r) => r.maxRssKiB))),
    baselineRssMiB: mib(median(results.map((r) => r.baselineRssKiB))),
    outputBytes: results[0]!.outputBytes,
    warnings: Math.max(...results.map((r) => r.warnings)),
    loadMax: round(Math.max(...loads), 2),
    scalingExponent: exponent(compileMsMedian, prev?.compileMsMedian ?? null),
    warmScalingExponent: exponent(warmCompileMsMedian, prev?.warmCompileMsMedian ?? null),
  }
}

// ---------------------------------------------------------------------------------------------
// Growth verdicts

/** One step between consecutive sizes of a shape and target set. */
export interface GrowthStep {
  readonly from: number
  readonly to: number
  /** t(to)/t(from) of the median cold compile wall time; a lower bound when `to` ran out of time. */
  readonly ratio: number | null
  readonly lowerBound: boolean
  readonly cpuRatio: number | null
  /** (to·log to)/(from·log from): the largest ratio n·log n growth allows. */
  readonly allowed: number
  readonly ok: boolean | null
  /** The same test on the CPU-time ratio (null when not measured): where it disagrees, the load on the machine may decide. */
  readonly cpuOk: boolean | null
}

export interface GrowthVerdict {
  readonly shape: SyntheticShape
  readonly targets: string
  /** What grows: the cold compile (every shape), or building the pipeline (the `dsl` shape: the DSL's own cost). */
  readonly of: 'compile' | 'build'
  readonly steps: readonly GrowthStep[]
  /** True: no step grew faster than n·log n; false: one did; null: not enough sizes measured. */
  readonly ok: boolean | null
}

function growth(rows: readonly BenchRow[], shape: SyntheticShape, targets: string, of: GrowthVerdict['of'] = 'compile'): GrowthVerdict {
  const mine = rows.filter((r) => r.shape === shape && r.targets === targets).sort((a, b) => a.tasks - b.tasks)
  const steps: GrowthStep[] = []
  for (let i = 1; i < mine.length; i++) {
    const a = mine[i - 1]!
    const b = mine[i]!
    if (!measured(a)) break
    const allowed = round((b.tasks * Math.log(b.tasks)) / (a.tasks * Math.log(a.tasks)), 2)
    if (measured(b) && of === 'build') {
      const ratio = round(b.buildMsMedian / a.buildMsMedian, 2)
      steps.push({ from: a.tasks, to: b.tasks, ratio, lowerBound: false, cpuRatio: null, allowed, ok: ratio <= allowed, cpuOk: null })
    } else if (measured(b)) {
      const ratio = round(b.compileMsMedian / a.compileMsMedian, 2)
      const cpuRatio = round(b.compileCpuMsMedian / a.compileCpuMsMedian, 2)
      steps.push({ from: a.tasks, to: b.tasks, ratio, lowerBound: false, cpuRatio, allowed, ok: ratio <= allowed, cpuOk: cpuRatio <= allowed })
    } else if (b.failure?.reason === 'timeout' && of === 'compile') {
      // Still compiling when killed: t(to) > time alive minus start-up and build (as long as for `from`, or longer).
      const ratio = round((b.failure.afterMs - (a.processMsMedian - a.compileMsMedian)) / a.compileMsMedian, 2)
      steps.push({ from: a.tasks, to: b.tasks, ratio, lowerBound: true, cpuRatio: null, allowed, ok: ratio > allowed ? false : null, cpuOk: null })
    } else {
      steps.push({ from: a.tasks, to: b.tasks, ratio: null, lowerBound: false, cpuRatio: null, allowed, ok: null, cpuOk: null })
    }
  }
  const ok = steps.some((s) => s.ok === false) ? false : steps.length > 0 && steps.every((s) => s.ok === true) ? true : null
  return { shape, targets, of, steps, ok }
}

// ---------------------------------------------------------------------------------------------
// Type-checking budget

export interface TypecheckSummary {
  readonly file: string
  readonly runs: number
  readonly failure?: CaseFailure
  /** `tsc --noEmit` on the file, the budget: wall time from spawning the process to its exit. */
  readonly tscMsMedian: number
  readonly tscCpuMsMedian: number
  readonly tscPeakRssMiB: number
  /** The breakdown, by the compiler API in a tsx process (slower to load TypeScript than tsc). */
  readonly totalMsMedian: number
  readonly cpuMsMedian: number
  readonly loadMsMedian: number
  readonly programMsMedian: number
  readonly checkMsMedian: number
  readonly rootCheckMsMedian: number
  readonly sourceFiles: number
  readonly peakRssMiB: number
  /** Slowest files of the first run, besides the pipeline file. */
  readonly slowestFiles: TypecheckResult['slowestFiles']
}

/** What one `tsc --noEmit` process took. */
interface TscRun {
  readonly wallMs: number
  readonly cpuMs: number
  readonly maxRssKiB: number
}

/**
 * One `tsc --noEmit -p fixtures/tsconfig.pipeline-200.json` (the repository's options, the file
 * as the only root), timed from spawn to exit: what a user waits for, Node start-up included.
 */
function tscRun(config: Config): Promise<Outcome<TscRun>> {
  return new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, ['--require', exitUsageFile, tscFile, '--noEmit', '-p', tscProject], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), config.timeoutS * 1000)
    child.on('close', (status) => {
      clearTimeout(timer)
      const wallMs = performance.now() - started
      const usage = stderr.split('\n').find((l) => l.startsWith('{"typeflowExitUsage"'))
      if (status !== 0 || usage === undefined) {
        resolve({ ok: false, failure: { reason: 'diagnostics', message: `tsc exited with ${status}: ${(stdout + stderr).trim().slice(0, 2000)}`, afterMs: round(wallMs), peakRssKiB: null } })
        return
      }
      const { cpuMs, maxRssKiB } = (JSON.parse(usage) as { typeflowExitUsage: { cpuMs: number; maxRssKiB: number } }).typeflowExitUsage
      resolve({ ok: true, value: { wallMs, cpuMs, maxRssKiB } })
    })
  })
}

async function typecheckBudget(config: Config): Promise<TypecheckSummary> {
  const tscRuns: TscRun[] = []
  for (let i = 0; i < config.typecheckRuns; i++) {
    const outcome = await tscRun(config)
    if (!outcome.ok) {
      log(`  tsc --noEmit run ${i + 1}: FAILED: ${outcome.failure.message}`)
      return { file: 'test/bench/fixtures/pipeline-200.ts', runs: 0, failure: outcome.failure, tscMsMedian: NaN, tscCpuMsMedian: NaN, tscPeakRssMiB: NaN, totalMsMedian: NaN, cpuMsMedian: NaN, loadMsMedian: NaN, programMsMedian: NaN, checkMsMedian: NaN, rootCheckMsMedian: NaN, sourceFiles: 0, peakRssMiB: NaN, slowestFiles: [] }
    }
    tscRuns.push(outcome.value)
    log(`  tsc --noEmit run ${i + 1}/${config.typecheckRuns}: ${outcome.value.wallMs.toFixed(0)} ms (cpu ${outcome.value.cpuMs.toFixed(0)} ms)`)
  }
  const results: TypecheckResult[] = []
  for (let i = 0; i < config.typecheckRuns; i++) {
    const outcome = await runNode<TypecheckResult>(typecheckFile, [], config)
    if (!outcome.ok) {
      log(`  typecheck run ${i + 1}: FAILED (${outcome.failure.reason}): ${outcome.failure.message}`)
      return { file: 'test/bench/fixtures/pipeline-200.ts', runs: 0, failure: outcome.failure, tscMsMedian: NaN, tscCpuMsMedian: NaN, tscPeakRssMiB: NaN, totalMsMedian: NaN, cpuMsMedian: NaN, loadMsMedian: NaN, programMsMedian: NaN, checkMsMedian: NaN, rootCheckMsMedian: NaN, sourceFiles: 0, peakRssMiB: NaN, slowestFiles: [] }
    }
    const r = outcome.value
    results.push(r)
    log(`  typecheck run ${i + 1}/${config.typecheckRuns}: ${r.totalMs.toFixed(0)} ms (load ${r.loadMs.toFixed(0)}, program ${r.programMs.toFixed(0)}, check ${r.checkMs.toFixed(0)} of which the file ${r.rootCheckMs.toFixed(0)}), ${r.errors} errors`)
  }
  const m = (f: (r: TypecheckResult) => number) => round(median(results.map(f)))
  return {
    file: results[0]!.file,
    runs: results.length,
    tscMsMedian: round(median(tscRuns.map((r) => r.wallMs))),
    tscCpuMsMedian: round(median(tscRuns.map((r) => r.cpuMs))),
    tscPeakRssMiB: mib(Math.max(...tscRuns.map((r) => r.maxRssKiB))),
    totalMsMedian: m((r) => r.totalMs),
    cpuMsMedian: m((r) => r.cpuMs),
    loadMsMedian: m((r) => r.loadMs),
    programMsMedian: m((r) => r.programMs),
    checkMsMedian: m((r) => r.checkMs),
    rootCheckMsMedian: m((r) => r.rootCheckMs),
    sourceFiles: results[0]!.sourceFiles,
    peakRssMiB: mib(Math.max(...results.map((r) => r.maxRssKiB))),
    slowestFiles: results[0]!.slowestFiles,
  }
}

// ---------------------------------------------------------------------------------------------
// CPU profiles (--profile)

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: readonly number[]
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

export interface ProfileEntry {
  readonly fn: string
  readonly selfMs: number
  readonly totalMs: number
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame
  const where = url.startsWith('file:') ? path.relative(repoRoot, fileURLToPath(url)) : url.startsWith('/') ? path.relative(repoRoot, url) : url
  // Transpiled (tsx) modules report line 0 for everything: leave the line out then.
  const file = where ? (lineNumber > 0 ? `${where}:${lineNumber + 1}` : where) : ''
  return `${functionName || '(anonymous)'}${file ? ` ${file}` : ''}`
}

/** Self and inclusive time per function (inclusive counted once per sample, so recursion does not inflate it). */
function summariseProfile(profile: CpuProfile): { entries: ProfileEntry[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  let totalUs = 0
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0
    const node = byId.get(id)
    if (!node || node.callFrame.functionName === '(idle)') return
    totalUs += dt
    const name = frameName(node)
    self.set(name, (self.get(name) ?? 0) + dt)
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!
      const key = frameName(n)
      if (seen.has(key) || key === '(root)') continue
      seen.add(key)
      total.set(key, (total.get(key) ?? 0) + dt)
    }
  })
  const entries = [...new Set([...self.keys(), ...total.keys()])].map((fn) => ({ fn, selfMs: round((self.get(fn) ?? 0) / 1000), totalMs: round((total.get(fn) ?? 0) / 1000) }))
  return { entries, totalMs: round(totalUs / 1000) }
}

interface ProfileSummary {
  readonly shape: SyntheticShape
  readonly tasks: number
  readonly targets: string
  readonly sampledMs: number
  readonly topSelf: ProfileEntry[]
  readonly topTotal: ProfileEntry[]
}

async function profileShape(config: Config, shape: SyntheticShape, tasks: number, targets: string): Promise<ProfileSummary | undefined> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'typeflow-prof-'))
  const outcome = await runNode<CaseResult>(caseFile, [shape, String(tasks), targets], config, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200'], { TYPEFLOW_BENCH_MODE: 'cold' })
  if (!outcome.ok) {
    log(`  profile ${shape} ${targets} ${tasks}: FAILED (${outcome.failure.reason})`)
    return undefined
  }
  // tsx's loader thread writes a profile too: the main thread's is the largest.
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  const file = files.map((f) => path.join(dir, f)).sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0]
  if (!file) throw new Error(`no CPU profile written in ${dir}`)
  const { entries, totalMs } = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)
  const interesting = (e: ProfileEntry) => !/^\((program|root)\)/.test(e.fn)
  return {
    shape,
    tasks,
    targets,
    sampledMs: totalMs,
    topSelf: [...entries].filter(interesting).sort((a, b) => b.selfMs - a.selfMs).slice(0, 12),
    topTotal: [...entries]
      .filter((e) => interesting(e) && /packages\//.test(e.fn))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, 12),
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function machine() {
  const cpus = os.cpus()
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: round(os.totalmem() / 2 ** 30),
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg().map((x) => round(x, 2)),
  }
}

/** One MET/MISSED line of the targets section. */
export interface TargetCheck {
  readonly target: string
  readonly met: boolean
  readonly detail: string
}

function failureText(f: CaseFailure): string {
  const rss = f.peakRssKiB !== null ? `, peak RSS ${fmtInt(mib(f.peakRssKiB))} MiB when it stopped` : ''
  return f.reason === 'timeout' ? `did not finish within ${seconds(f.afterMs)}${rss}` : `${f.reason} after ${seconds(f.afterMs)}${rss}: ${f.message}`
}

/** The shapes the issue's targets name; `dsl` is measured beside them for what the DSL costs. */
const TARGET_SHAPES: readonly SyntheticShape[] = ['chain', 'fanout', 'lattice', 'nested']

function targetChecks(allRows: readonly BenchRow[], typecheck: TypecheckSummary | undefined): TargetCheck[] {
  const checks: TargetCheck[] = []
  const rows = allRows.filter((row) => TARGET_SHAPES.includes(row.shape))
  for (const size of [TARGETS.medium, TARGETS.large]) {
    for (const r of rows.filter((row) => row.tasks === size.tasks && row.targets === 'kfp,argo')) {
      const target = `${r.shape}, ${fmtInt(size.tasks)} tasks to both targets in < ${seconds(size.ms)} and < ${fmtInt(size.mib)} MiB`
      if (r.skipped) checks.push({ target, met: false, detail: `not run: ${r.skipped}` })
      else if (r.failure) checks.push({ target, met: false, detail: failureText(r.failure) })
      else {
        const time = r.compileMsMedian < size.ms
        const memory = r.peakRssMiB < size.mib
        checks.push({
          target,
          met: time && memory,
          detail: `time ${time ? 'met' : 'missed'}: ${fmtInt(r.compileMsMedian)} ms median wall (cold), ${fmtInt(r.compileCpuMsMedian)} ms CPU; memory ${memory ? 'met' : 'missed'}: ${fmtInt(r.peakRssMiB)} MiB peak RSS`,
        })
      }
    }
  }
  for (const r of rows.filter((row) => row.tasks === TARGETS.keys.tasks && row.targets === 'kfp')) {
    const target = `${r.shape}, cache keys of ${fmtInt(TARGETS.keys.tasks)} tasks in < ${TARGETS.keys.ms} ms`
    if (!measured(r) || r.phases === null) checks.push({ target, met: false, detail: r.failure ? failureText(r.failure) : 'not measured' })
    else checks.push({ target, met: r.phases.keys < TARGETS.keys.ms, detail: `${r.phases.keys} ms median (warm; the first call in a process, JIT warm-up included: ${r.phases.keysFirstCall} ms)` })
  }
  if (typecheck) {
    const target = `200-task pipeline file type-checks (tsc --noEmit semantics) in < ${seconds(TARGETS.typecheck.ms)}`
    if (typecheck.failure) checks.push({ target, met: false, detail: failureText(typecheck.failure) })
    else
      checks.push({
        target,
        met: typecheck.tscMsMedian < TARGETS.typecheck.ms,
        detail: `\`tsc --noEmit\` ${fmtInt(typecheck.tscMsMedian)} ms median wall (Node start-up included), ${fmtInt(typecheck.tscCpuMsMedian)} ms CPU, 0 errors`,
      })
  }
  return checks
}

const cell = (x: number | null): string => (x === null || Number.isNaN(x) ? '—' : String(x))

/** Sum of a compile's steps, or null when it was not timed. */
function stepsTotal(steps: StepTimes | null): number | null {
  return steps === null ? null : round(COMPILE_STEPS.reduce((sum, step) => sum + (steps[step] ?? 0), 0))
}

/** Where a compile to both targets spends its time, step by step, cold against warm. */
function stepsTable(rows: readonly BenchRow[]): string[] {
  const timed = rows.filter((r) => r.targets === 'kfp,argo' && measured(r) && r.coldSteps)
  if (timed.length === 0) return []
  const pair = (cold: number | undefined, warm: number | undefined | null) => (cold === undefined ? '—' : warm === undefined || warm === null ? String(cold) : `${cold} / ${warm}`)
  return [
    '',
    '### Where a compile to both targets goes (median ms per step, cold / warm)',
    '',
    'Timed inside `compile()` itself (`compileInSteps`, each step from the end of the one before): cold is the first compile in',
    'the process, as a CLI run pays it (JIT warm-up, the schema validators compiled), warm the second (not run from 100,000',
    'tasks). The Argo emitter writes each template\'s YAML while it sizes the objects, so its step includes the Argo YAML.',
    'Warm-up is the share of the cold total that the warm compile does not pay again.',
    '',
    '| Shape | Tasks | prepare | analyse | checks | KFP emit | KFP validate | KFP YAML | Argo emit + YAML | Argo validate | total | warm-up |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...timed.map((r) => {
      const cold = r.coldSteps!
      const warm = r.warmSteps
      const coldTotal = stepsTotal(cold)!
      const warmTotal = stepsTotal(warm)
      const share = warmTotal === null || coldTotal === 0 ? '—' : `${Math.round((100 * (coldTotal - warmTotal)) / coldTotal)} %`
      return `| ${r.shape} | ${fmtInt(r.tasks)} | ${COMPILE_STEPS.map((step) => pair(cold[step], warm?.[step])).join(' | ')} | ${pair(coldTotal, warmTotal)} | ${share} |`
    }),
  ]
}

function markdown(
  config: Config,
  info: ReturnType<typeof machine>,
  rows: readonly BenchRow[],
  verdicts: readonly GrowthVerdict[],
  checks: readonly TargetCheck[],
  typecheck: TypecheckSummary | undefined,
  profiles: readonly ProfileSummary[],
  loadAtEnd: readonly number[],
  elapsedMs: number,
): string {
  const busy = Math.max(...info.loadAverageAtStart, ...loadAtEnd, ...rows.map((r) => r.loadMax).filter((x) => !Number.isNaN(x))) > info.cores
  const met = checks.filter((c) => c.met).length
  const lines = [
    '# Typeflow compile benchmark',
    '',
    'Generated by `pnpm bench` (test/bench/run.ts); synthetic pipelines from test/bench/synthetic.ts. Each run is a fresh',
    '`node --import tsx test/bench/case.ts <shape> <tasks> <targets>` process: "compile" is the first (cold) `compile()` call in',
    'that process, including JIT warm-up and loading the schema validators, as a CLI run would see it; "warm" is a second call in',
    'the same process (below 100,000 tasks). Build = constructing the pipeline, as IR literals or, for `dsl`, with the DSL (not included in compile); process = from',
    'process start to the end of the cold compile. Peak RSS is `process.resourceUsage().maxRSS` after the cold compile, max over',
    `runs; it includes Node + tsx + the compiler modules (~${cell(rows.find(measured)?.baselineRssMiB ?? null)} MiB before building). Tasks are declared task nodes.`,
    '',
    `- Node ${info.node} on ${info.platform}`,
    `- CPU: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB RAM`,
    `- Date: ${info.date}; whole run ${Math.round(elapsedMs / 60_000)} min`,
    `- Runs per case: ${config.reps} below ${fmtInt(config.largeFrom)} tasks, ${config.repsLarge} from there (3 at most when the first compile takes over 10 s); timeout ${config.timeoutS} s per process; heap limit ${fmtInt(config.heapMiB)} MiB`,
    `- Load average (1/5/15 min) at start ${info.loadAverageAtStart.join(' / ')}, at end ${loadAtEnd.join(' / ')}; highest 1-min load when a run started: ${Math.max(...rows.map((r) => r.loadMax).filter((x) => !Number.isNaN(x)))}${
      busy ? ` — **the machine was shared and busy (more runnable processes than ${info.cores} cores): wall times are inflated; the CPU-time column is the better estimate of an idle machine**` : ''
    }`,
    '',
    `## Targets: ${met} of ${checks.length} met`,
    '',
    ...checks.map((c) => `- ${c.met ? 'MET' : '**MISSED**'} — ${c.target}: ${c.detail}`),
    ...(rows.some((r) => !TARGET_SHAPES.includes(r.shape))
      ? ['', `The targets are the issue's, for its shapes (${TARGET_SHAPES.join(', ')}). The \`dsl\` shape is built with the DSL as users write pipelines; its build time (the Build ms column) is what the DSL costs before the compile, and its growth is checked below.`]
      : []),
    '',
    '## Growth',
    '',
    'Rule: from n to m tasks (consecutive sizes), growth is no worse than n·log n when t(m)/t(n) ≤ (m·log m)/(n·log n), with t the',
    'median cold compile wall time; for m = 10n that is 10·log(10n)/log(n) (13.3 from 1,000 to 10,000, 12.5 from 10,000 to 100,000).',
    'A case killed at the timeout gives a lower bound on t(m). The cold time of a small case carries a fixed start-up cost (JIT, schema',
    'validators), which flatters the first ratio; the CPU ratio is shown for comparison.',
    '',
    ...verdicts.map((v) => {
      const steps = v.steps.map((s) =>
        s.ratio === null
          ? `${fmtInt(s.from)}→${fmtInt(s.to)}: not measured`
          : `${fmtInt(s.from)}→${fmtInt(s.to)}: ×${s.lowerBound ? '>' : ''}${s.ratio}${s.cpuRatio !== null ? ` (CPU ×${s.cpuRatio})` : ''} vs ×${s.allowed} allowed${
              s.ok === false && s.cpuOk === true ? ' (over in wall time only: the CPU ratio is within the bound, so the load may decide)' : ''
            }`,
      )
      const verdict = v.ok === true ? 'growth no worse than n·log n' : v.ok === false ? '**growth WORSE than n·log n**' : 'growth not established (a size did not complete)'
      return `- ${v.shape} (${v.of === 'build' ? 'building it with the DSL, before compiling' : v.targets}): ${verdict} — ${steps.join('; ') || 'one size only'}`
    }),
    '',
    '## Compile times',
    '',
    '| Shape | Targets | Tasks | Runs | Compile ms (median, cold) | min–max | Compile CPU ms | Process ms | Warm ms | Warm CPU ms | Build ms | Peak RSS MiB | Output bytes | Scaling exp. | Load (max) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) =>
      measured(r)
        ? `| ${r.shape} | ${r.targets} | ${fmtInt(r.tasks)} | ${r.runs} | ${r.compileMsMedian} | ${r.compileMsMin}–${r.compileMsMax} | ${r.compileCpuMsMedian} | ${r.processMsMedian} | ${cell(r.warmCompileMsMedian)} | ${cell(r.warmCompileCpuMsMedian)} | ${r.buildMsMedian} | ${r.peakRssMiB} | ${fmtInt(r.outputBytes)} | ${cell(r.scalingExponent)} | ${r.loadMax} |`
        : `| ${r.shape} | ${r.targets} | ${fmtInt(r.tasks)} | 0 | ${r.skipped ? `not run: ${r.skipped}` : `**${failureText(r.failure!)}**`} | | | | | | | ${cell(r.peakRssMiB)} | | | |`,
    ),
    '',
    'Scaling exponent: log(t2/t1)/log(n2/n1) of the median cold compile time against the previous size (1.0 = linear).',
    `Every compile above produced no diagnostics and ${Math.max(0, ...rows.map((r) => r.warnings)) === 0 ? 'no policy warnings' : 'policy warnings (see results.json)'}.`,
    '',
    '### Where the time goes (warm, median ms per KFP phase, KFP-only cases)',
    '',
    '| Shape | Tasks | analyse | cache keys | cache keys, first call | emit | schema validation | header + YAML writer |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows
      .filter((r) => r.targets === 'kfp' && r.phases !== null)
      .map((r) => `| ${r.shape} | ${fmtInt(r.tasks)} | ${r.phases!.analyse} | ${r.phases!.keys} | ${r.phases!.keysFirstCall} | ${r.phases!.emit} | ${r.phases!.validate} | ${r.phases!.yaml} |`),
    ...stepsTable(rows),
  ]
  if (typecheck) {
    lines.push(
      '',
      `## Type-checking budget: ${typecheck.file}`,
      '',
      'A generated 200-task pipeline (test/bench/typecheck-fixture.ts: typed components and a function component, tasks wired by',
      'outputs, sweeps in parallel loops with fan-in, if/else gates, loops over a list parameter with a condition inside), type-checked',
      'by `tsc --noEmit -p test/bench/fixtures/tsconfig.pipeline-200.json` (tsconfig.json\'s compiler options, that file as the only',
      'root), timed from spawning the process to its exit: what a user waits for, Node start-up included. That is the budget.',
      '',
    )
    if (typecheck.failure) lines.push(`**FAILED**: ${failureText(typecheck.failure)}`)
    else {
      lines.push(
        '| Runs | `tsc --noEmit` ms (median wall) | CPU ms | Peak RSS MiB |',
        '|---:|---:|---:|---:|',
        `| ${typecheck.runs} | ${typecheck.tscMsMedian} | ${typecheck.tscCpuMsMedian} | ${typecheck.tscPeakRssMiB} |`,
        '',
        'Where the time goes, measured apart with the compiler API in a fresh tsx process (test/bench/typecheck-case.ts: `createProgram`',
        'then every file\'s syntactic and semantic diagnostics, as `tsc --noEmit` does). Loading TypeScript through tsx\'s module hooks',
        'costs about half a second more than tsc pays, so its total is above the budget\'s:',
        '',
        `| Runs | Total ms (median) | CPU ms | load typescript | createProgram | check (all files) | of which the pipeline file | Source files | Peak RSS MiB |`,
        '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
        `| ${typecheck.runs} | ${typecheck.totalMsMedian} | ${typecheck.cpuMsMedian} | ${typecheck.loadMsMedian} | ${typecheck.programMsMedian} | ${typecheck.checkMsMedian} | ${typecheck.rootCheckMsMedian} | ${typecheck.sourceFiles} | ${typecheck.peakRssMiB} |`,
        '',
        `The pipeline file is checked first (${typecheck.rootCheckMsMedian} ms: roughly what an editor spends on the open file); the rest of`,
        'the check goes to the files it imports, slowest (first run):',
        '',
        ...typecheck.slowestFiles.map((f) => `- \`${f.file}\`: ${f.ms} ms`),
      )
    }
  }
  for (const p of profiles) {
    lines.push(
      '',
      `## CPU profile: ${p.shape}, ${fmtInt(p.tasks)} tasks, ${p.targets}, one cold compile (${p.sampledMs} ms sampled, module loading included)`,
      '',
      '| Function (self time) | Self ms |',
      '|---|---:|',
      ...p.topSelf.map((e) => `| \`${e.fn}\` | ${e.selfMs} |`),
      '',
      '| Typeflow function (inclusive time) | Total ms |',
      '|---|---:|',
      ...p.topTotal.map((e) => `| \`${e.fn}\` | ${e.totalMs} |`),
    )
  }
  return `${lines.join('\n')}\n`
}

type Machine = ReturnType<typeof machine> & { readonly loadAverageAtEnd: number[]; readonly elapsedMs: number }

/** Verdicts, target checks and both result files, from what was measured. */
function writeResults(config: Config, info: Machine, rows: BenchRow[], typecheck: TypecheckSummary | undefined, profiles: ProfileSummary[]): string {
  const targetSets = [...new Set(rows.map((r) => r.targets))]
  const shapes = [...new Set(rows.map((r) => r.shape))]
  const verdicts = targetSets.flatMap((targets) => shapes.map((shape) => growth(rows, shape, targets)))
  if (shapes.includes('dsl')) verdicts.push(growth(rows, 'dsl', targetSets[0]!, 'build'))
  const checks = targetChecks(rows, typecheck)
  const md = markdown(config, info, rows, verdicts, checks, typecheck, profiles, info.loadAverageAtEnd, info.elapsedMs)
  writeFileSync(path.join(here, 'results.md'), md)
  // NaN (no measurement) is written as null.
  writeFileSync(path.join(here, 'results.json'), `${JSON.stringify({ machine: info, config, targets: TARGETS, checks, verdicts, rows, typecheck, profiles }, null, 2)}\n`)
  return md
}

/** Rows as results.json stores them: null where a number was not measured. */
function revive(rows: BenchRow[]): BenchRow[] {
  const numeric = ['compileMsMedian', 'compileMsMin', 'compileMsMax', 'compileCpuMsMedian', 'processMsMedian', 'buildMsMedian', 'peakRssMiB', 'baselineRssMiB', 'outputBytes', 'loadMax'] as const
  return rows.map((r) => {
    const copy: Record<string, unknown> = { ...r }
    for (const key of numeric) if (copy[key] === null) copy[key] = NaN
    // Rows of runs from before the compile steps were timed.
    copy['coldSteps'] ??= null
    copy['warmSteps'] ??= null
    return copy as unknown as BenchRow
  })
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), process.env)
  if (config.fromJson) {
    const saved = JSON.parse(readFileSync(path.join(here, 'results.json'), 'utf8')) as { machine: Machine; config: Config; rows: BenchRow[]; typecheck?: TypecheckSummary; profiles?: ProfileSummary[] }
    writeResults({ ...saved.config, fromJson: false }, saved.machine, revive(saved.rows), saved.typecheck, saved.profiles ?? [])
    log(`rewrote ${path.relative(repoRoot, path.join(here, 'results.md'))} and results.json from results.json`)
    return
  }
  const started = performance.now()
  const info = machine()
  const targetSets = ['kfp', 'kfp,argo']
  log(
    `Typeflow bench: node ${info.node}, ${info.cpu} x${info.cores}; sizes ${config.sizes.join(', ')}; shapes ${config.shapes.join(', ')}; ${config.reps} runs (${config.repsLarge} from ${config.largeFrom}); timeout ${config.timeoutS} s; load ${info.loadAverageAtStart.join(' ')}`,
  )
  const rows: BenchRow[] = []
  for (const targets of targetSets) {
    for (const shape of config.shapes) {
      let previous: BenchRow | undefined
      for (const tasks of config.sizes) {
        const kfpRow = targets === 'kfp' ? undefined : rows.find((r) => r.shape === shape && r.targets === 'kfp' && r.tasks === tasks)
        const row = await measureSize(config, shape, targets, tasks, previous, kfpRow)
        if (row.skipped) log(`  ${shape.padEnd(8)} ${targets.padEnd(9)} ${String(tasks).padStart(7)} tasks  skipped: ${row.skipped}`)
        rows.push(row)
        previous = row
      }
    }
  }
  const typecheck = config.typecheckRuns > 0 ? await typecheckBudget(config) : undefined
  const profiles: ProfileSummary[] = []
  if (config.profile) {
    const size = [...config.sizes].filter((s) => s <= 10_000).pop() ?? config.sizes[0]!
    for (const targets of targetSets) for (const shape of config.shapes) {
      const p = await profileShape(config, shape, size, targets)
      if (p) profiles.push(p)
    }
  }
  const md = writeResults(config, { ...info, loadAverageAtEnd: os.loadavg().map((x) => round(x, 2)), elapsedMs: Math.round(performance.now() - started) }, rows, typecheck, profiles)
  log(`\n${md}`)
  log(`wrote ${path.relative(repoRoot, path.join(here, 'results.md'))} and results.json`)
  const broken = rows.some((r) => r.failure?.reason === 'diagnostics') || typecheck?.failure !== undefined
  if (broken) process.exitCode = 1
}

await main()
