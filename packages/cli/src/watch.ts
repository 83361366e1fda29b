/**
 * `typeflow compile --watch`: compile again whenever a file next to the pipelines changes.
 *
 * @module
 */
import { watch } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'

/** Folders never worth a recompile: dependencies, version control, the runner's store. */
const IGNORED_DIRS = new Set(['node_modules', '.git', '.typeflow'])

/**
 * What a pipeline is made of: code, and the JSON and YAML it reads (component files, configs).
 * Anything else (a log the watch itself is redirected to, a drawing) is not worth a recompile.
 */
const SOURCE_EXTENSIONS = /\.(?:[cm]?[jt]sx?|json|ya?ml)$/

/**
 * Whether a change to `path` should trigger a compile: a source file (code, JSON, YAML) outside
 * the ignored folders. What the compiler itself writes (its
 * outputs and their temporary files in `outDir`) must not, or a folder that holds both the
 * pipeline and its `dist/` would recompile forever.
 *
 * @example
 * ```ts
 * isRelevantChange('/p/pipeline.ts', '/p/dist') // true
 * isRelevantChange('/p/dist/train.kfp.yaml', '/p/dist') // false
 * isRelevantChange('/p/build.log', '/p/dist') // false
 * ```
 */
export function isRelevantChange(path: string, outDir: string): boolean {
  const name = path.split(sep).pop() ?? ''
  if (!SOURCE_EXTENSIONS.test(name)) return false
  if (name.endsWith('.tmp') || name.endsWith('.swp') || name.endsWith('~') || name.startsWith('.#')) return false
  if (path.split(sep).some((segment) => IGNORED_DIRS.has(segment))) return false
  const inOut = relative(resolve(outDir), path)
  const insideOut = inOut === '' || (!inOut.startsWith('..') && !isAbsolute(inOut))
  return !(insideOut && (name.endsWith('.kfp.yaml') || name.endsWith('.argo.yaml')))
}

/**
 * Watches the folders of `files` (recursively) and calls `compileOnce` after each burst of
 * changes. Compiles never overlap: a change during a compile queues exactly one more. A failed
 * compile has already written nothing, so the previous outputs stay as they were. Never
 * resolves; the process ends with Ctrl-C.
 *
 * @example
 * ```ts
 * await watchAndCompile(['pipeline.ts'], 'dist', () => compileOnce(['pipeline.ts'], values))
 * ```
 */
export function watchAndCompile(files: readonly string[], outDir: string, compileOnce: () => Promise<number>): Promise<number> {
  const folders = [...new Set(files.map((f) => dirname(resolve(f))))]
  let timer: NodeJS.Timeout | undefined
  let running = false
  let again = false
  const rebuild = async (): Promise<void> => {
    if (running) {
      again = true
      return
    }
    running = true
    try {
      process.stderr.write('change detected: compiling again\n')
      await compileOnce()
    } catch (error) {
      // A watch survives whatever one compile throws: the next save may fix it.
      process.stderr.write(`error: ${(error as Error).message}\n`)
    } finally {
      running = false
    }
    if (again) {
      again = false
      await rebuild()
    }
  }
  for (const folder of folders) {
    const watcher = watch(folder, { recursive: true }, (_event, name) => {
      if (name !== null && !isRelevantChange(join(folder, name.toString()), outDir)) return
      clearTimeout(timer)
      // Editors save in several steps (write, rename, chmod): compile once they are done.
      timer = setTimeout(() => void rebuild(), 150)
    })
    watcher.on('error', (error) => process.stderr.write(`error: cannot watch ${folder}: ${error.message}\n`))
  }
  process.stderr.write(`watching ${folders.join(', ')} (Ctrl-C to stop)\n`)
  return new Promise<number>(() => {})
}
