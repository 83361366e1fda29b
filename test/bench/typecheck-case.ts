/**
 * One run of the type-checking budget, in a fresh process started by ./run.ts:
 *
 *   node --import tsx test/bench/typecheck-case.ts [file.ts]
 *
 * Type-checks one pipeline file (default: fixtures/pipeline-200.ts) with the TypeScript compiler
 * API and the repository's compiler options (tsconfig.json), that file as the only root, as
 * `tsc --noEmit` would; prints one JSON line. Exits with 2 when the file has any error.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

/** What one type-checking run measured (milliseconds). */
export interface TypecheckResult {
  readonly file: string
  /** Importing the `typescript` module. */
  readonly loadMs: number
  /** Reading tsconfig.json's compiler options. */
  readonly configMs: number
  /** `createProgram`: parsing the file and everything it imports, resolving modules, binding. */
  readonly programMs: number
  /** Diagnostics of every file, as `getPreEmitDiagnostics` (and `tsc --noEmit`) gathers them: the type checker proper. */
  readonly checkMs: number
  /** Of `checkMs`: the pipeline file itself, checked first (what an editor does for the open file). */
  readonly rootCheckMs: number
  /** Of `checkMs`: the files that took longest once the pipeline file was checked, slowest first. */
  readonly slowestFiles: readonly { readonly file: string; readonly ms: number }[]
  /** load + config + program + check: what a `tsc --noEmit` run spends after Node has started. */
  readonly totalMs: number
  readonly cpuMs: number
  /** Source files in the program (the file, what it imports, the lib and @types files). */
  readonly sourceFiles: number
  readonly errors: number
  readonly maxRssKiB: number
}

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, '../..')
const file = path.resolve(process.argv[2] ?? path.join(here, 'fixtures', 'pipeline-200.ts'))

const cpu = process.cpuUsage()
const t0 = performance.now()
const ts = (await import('typescript')).default
const t1 = performance.now()
const configPath = path.join(repoRoot, 'tsconfig.json')
const config = ts.parseConfigFileTextToJson(configPath, readFileSync(configPath, 'utf8'))
if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'))
const converted = ts.convertCompilerOptionsFromJson((config.config as { compilerOptions?: unknown }).compilerOptions, repoRoot, configPath)
if (converted.errors.length > 0) throw new Error(converted.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n'))
const t2 = performance.now()
const program = ts.createProgram({ rootNames: [file], options: converted.options })
const t3 = performance.now()
// getPreEmitDiagnostics, file by file so that the time can be attributed; the root goes first.
const root = program.getSourceFile(file)
if (root === undefined) throw new Error(`${file} is not in the program`)
const diagnostics = [...program.getConfigFileParsingDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]
const perFile: { file: string; ms: number }[] = []
let rootCheckMs = 0
for (const source of [root, ...program.getSourceFiles().filter((f) => f !== root)]) {
  const start = performance.now()
  diagnostics.push(...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source))
  const ms = performance.now() - start
  if (source === root) rootCheckMs = ms
  else perFile.push({ file: path.relative(repoRoot, source.fileName).replace(/node_modules\/\.pnpm\/[^/]+\/node_modules\//, 'node_modules/'), ms })
}
const t4 = performance.now()
const used = process.cpuUsage(cpu)

const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error)
if (errors.length > 0) {
  const host: import('typescript').FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => repoRoot,
    getNewLine: () => '\n',
  }
  process.stderr.write(`${path.relative(repoRoot, file)} has ${errors.length} type errors:\n${ts.formatDiagnostics(errors.slice(0, 10), host)}`)
  process.exit(2)
}

const result: TypecheckResult = {
  file: path.relative(repoRoot, file),
  loadMs: t1 - t0,
  configMs: t2 - t1,
  programMs: t3 - t2,
  checkMs: t4 - t3,
  rootCheckMs,
  slowestFiles: perFile
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map((f) => ({ file: f.file, ms: Math.round(f.ms) })),
  totalMs: t4 - t0,
  cpuMs: (used.user + used.system) / 1000,
  sourceFiles: program.getSourceFiles().length,
  errors: errors.length,
  maxRssKiB: process.resourceUsage().maxRSS,
}
process.stdout.write(`${JSON.stringify(result)}\n`)
