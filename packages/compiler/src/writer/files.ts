import { randomBytes } from 'node:crypto'
import { closeSync, copyFileSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync, writevSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { TypeflowError } from '@typeflow/dsl'
import { joinParts } from './yaml.ts'

/** One file a compile produces: a path relative to the output directory and its text. */
export interface OutputFile {
  readonly path: string
  readonly content: string
  /**
   * The text as UTF-8, when the file was made as bytes (see {@link outputFileOfBytes}), so that a
   * compile never has to make a string of its output.
   */
  readonly bytes?: Uint8Array
  /**
   * The same bytes as consecutive parts, as the YAML writer made them: what
   * {@link writeFilesAtomically} writes, so that a large file is never joined into one buffer.
   */
  readonly parts?: readonly Uint8Array[]
}

/**
 * An output file made from the bytes the YAML writer produced, in one or more consecutive parts.
 * Its `content` is decoded and its `bytes` joined on first read (then kept); `bytes` and `parts`
 * are not enumerable, so the file still equals `{ path, content }`.
 *
 * @example
 * ```ts
 * const file = outputFileOfBytes('p.kfp.yaml', new TextEncoder().encode('a: 1\n'))
 * file.content // 'a: 1\n'
 * outputFileOfBytes('p.kfp.yaml', [new TextEncoder().encode('a: '), new TextEncoder().encode('1\n')]).content // 'a: 1\n'
 * ```
 */
export function outputFileOfBytes(path: string, bytes: Uint8Array | readonly Uint8Array[]): OutputFile {
  const parts = bytes instanceof Uint8Array ? [bytes] : bytes
  let joined: Uint8Array | undefined
  let content: string | undefined
  const join = (): Uint8Array => (joined ??= joinParts(parts))
  return Object.defineProperties({ path } as OutputFile, {
    content: { enumerable: true, get: () => (content ??= decodeParts(parts)) },
    bytes: { get: join },
    parts: { value: parts },
  })
}

/** UTF-8 parts as text; a character may be split between two parts. */
function decodeParts(parts: readonly Uint8Array[]): string {
  const decoder = new TextDecoder()
  if (parts.length === 1) return decoder.decode(parts[0])
  let text = ''
  for (const part of parts) text += decoder.decode(part, { stream: true })
  return text + decoder.decode()
}

/** The lock file a writer holds while it puts its files in place. */
export const WRITE_LOCK = '.typeflow-write.lock'

/** How long a writer waits for another one before giving up (it holds the lock for milliseconds). */
const LOCK_TIMEOUT_MS = 60_000

function ioError(message: string, cause?: unknown): TypeflowError {
  const error = new TypeflowError([{ code: 'E_IO', path: [], message }])
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause })
  return error
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error))

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readOwner(lock: string): string | undefined {
  try {
    return readFileSync(lock, 'utf8')
  } catch {
    return undefined
  }
}

/**
 * A lock left by a writer that died on this machine (a crash, a kill -9 while committing), or an
 * empty one (its writer died between creating and filling it) older than a few seconds.
 */
function isStale(lock: string, owner: string | undefined): boolean {
  if (owner === '') {
    try {
      return Date.now() - statSync(lock).mtimeMs > 5_000
    } catch {
      return false
    }
  }
  const match = owner === undefined ? null : /^(\S+) (\d+) \S+$/.exec(owner)
  return match !== null && match[1] === hostname() && !processAlive(Number(match[2]))
}

/**
 * Takes `<outDir>/.typeflow-write.lock` (created exclusively), breaking it when its owner is a
 * dead process of this machine; returns the function that releases it.
 */
function acquireLock(outDir: string): () => void {
  const lock = join(outDir, WRITE_LOCK)
  const me = `${hostname()} ${process.pid} ${randomBytes(6).toString('hex')}`
  const deadline = Date.now() + LOCK_TIMEOUT_MS
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    try {
      writeFileSync(lock, me, { flag: 'wx' })
      return () => {
        if (readOwner(lock) === me) rmSync(lock, { force: true })
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(`cannot lock ${outDir}: ${reason(error)}`, error)
    }
    const owner = readOwner(lock)
    if (isStale(lock, owner)) {
      // Move it aside, then make sure what was moved is the dead owner's lock: a live writer may
      // have replaced it in between (it then gets it back).
      const aside = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.stale`
      try {
        renameSync(lock, aside)
        if (readOwner(aside) !== owner) renameSync(aside, lock)
        else rmSync(aside, { force: true })
      } catch {
        // Another writer broke it first.
      }
      continue
    }
    if (Date.now() > deadline) {
      throw ioError(`cannot write to ${outDir}: another compile has been writing there for ${LOCK_TIMEOUT_MS / 1000} s (lock ${lock}, held by ${owner ?? 'an unknown process'}); remove the lock if no compile is running`)
    }
    sleep(wait)
  }
}

/**
 * Runs `read` while holding the output directory's write lock, so no compile puts files in place
 * meanwhile: what it reads is one compile's complete set. For tools that pick up the files of a
 * directory other compiles may be writing to (a deploy step, a watcher).
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs'
 * import { withOutputLock } from '@typeflow/compiler'
 * const [kfp, argo] = withOutputLock('dist', () => ['p.kfp.yaml', 'p.argo.yaml'].map((f) => readFileSync(`dist/${f}`, 'utf8')))
 * ```
 */
export function withOutputLock<T>(outDir: string, read: () => T): T {
  mkdirSync(outDir, { recursive: true })
  const release = acquireLock(outDir)
  try {
    return read()
  } finally {
    release()
  }
}

/** The target of a file, refusing paths that leave the output directory. */
function targetOf(outDir: string, path: string): string {
  const target = resolve(outDir, path)
  const inside = relative(resolve(outDir), target)
  if (path === '' || isAbsolute(path) || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw ioError(`refusing to write "${path}": output files must stay inside ${outDir}`)
  }
  return join(outDir, path)
}

function isRegularFile(path: string): boolean {
  try {
    return lstatSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * Writes every file of one compile into `outDir`, all or nothing:
 * - each file goes to a temporary sibling first and is renamed into place, so a reader sees the
 *   old file or the new one, never a torn mix;
 * - nothing is renamed until every temporary file was written; if putting one in place fails,
 *   the ones already put in place get their previous content back (or are removed) and no
 *   temporary file is left;
 * - the renames happen under a lock file in `outDir`, so two compiles writing the same files at
 *   once leave one compile's complete set, never one's `.kfp.yaml` with the other's `.argo.yaml`.
 *   A reader that does not take the lock (see {@link withOutputLock}) may still see the old and
 *   the new set side by side while a compile renames, for as long as the renames take.
 *
 * Errors throw a `TypeflowError` with an `E_IO` diagnostic.
 *
 * @example
 * ```ts
 * import { writeFilesAtomically } from '@typeflow/compiler'
 * writeFilesAtomically('dist', [{ path: 'p.kfp.yaml', content: 'pipelineInfo: {name: p}\n' }])
 * ```
 */
export function writeFilesAtomically(outDir: string, files: readonly OutputFile[]): string[] {
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`
  const staged: { temp: string; target: string }[] = []
  const removeTemps = () => {
    for (const { temp } of staged) rmSync(temp, { force: true })
  }
  try {
    for (const file of files) {
      const target = targetOf(outDir, file.path)
      mkdirSync(dirname(target), { recursive: true })
      const temp = `${target}.${tag}.tmp`
      // Listed before it is written: a write that fails half-way is cleaned up too.
      staged.push({ temp, target })
      if (file.parts === undefined) writeFileSync(temp, file.bytes ?? file.content, { flag: 'wx' })
      else writeParts(temp, file.parts)
    }
  } catch (error) {
    removeTemps()
    if (error instanceof TypeflowError) throw error
    throw ioError(`cannot write to ${outDir}: ${reason(error)}`, error)
  }
  if (staged.length === 0) return []

  let release: () => void
  try {
    mkdirSync(outDir, { recursive: true })
    release = acquireLock(outDir)
  } catch (error) {
    removeTemps()
    throw error instanceof TypeflowError ? error : ioError(`cannot write to ${outDir}: ${reason(error)}`, error)
  }
  const committed: { target: string; backup?: string }[] = []
  try {
    for (const { temp, target } of staged) {
      let backup: string | undefined
      if (isRegularFile(target)) {
        backup = `${target}.${tag}.bak`
        try {
          linkSync(target, backup)
        } catch {
          copyFileSync(target, backup)
        }
      }
      renameSync(temp, target)
      committed.push({ target, ...(backup !== undefined && { backup }) })
    }
  } catch (error) {
    for (const { target, backup } of committed.reverse()) {
      try {
        if (backup !== undefined) renameSync(backup, target)
        else rmSync(target, { force: true })
      } catch {
        // Nothing better to do than report the first failure.
      }
    }
    removeTemps()
    for (const { target } of staged) rmSync(`${target}.${tag}.bak`, { force: true })
    release()
    throw ioError(`cannot write to ${outDir}: ${reason(error)}; the files there were left as they were`, error)
  }
  for (const { backup } of committed) if (backup !== undefined) rmSync(backup, { force: true })
  release()
  return staged.map((s) => s.target)
}

/**
 * Writes `parts` one after the other to a new file at `path`, many per system call: the Argo
 * output has two parts per template (hundreds of thousands in a large pipeline). libuv hands
 * them to `writev` 1,024 (IOV_MAX) at a time and goes on after short writes.
 */
function writeParts(path: string, parts: readonly Uint8Array[]): void {
  const fd = openSync(path, 'wx')
  try {
    let expected = 0
    for (const part of parts) expected += part.length
    const written = writevSync(fd, parts)
    // libuv stops short when a write fails after some bytes went out (a full disk): writing the
    // rest raises the error.
    if (written < expected) writeRest(fd, parts, written)
  } finally {
    closeSync(fd)
  }
}

function writeRest(fd: number, parts: readonly Uint8Array[], skip: number): void {
  for (const part of parts) {
    if (skip >= part.length) {
      skip -= part.length
      continue
    }
    for (let at = skip; at < part.length; ) at += writeSync(fd, part, at, part.length - at)
    skip = 0
  }
}
