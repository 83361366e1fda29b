/**
 * The local store of the runner (`.typeflow/` by default):
 *
 * ```
 * .typeflow/
 *   artifacts/            the local object store: TYPEFLOW_LOCAL_ROOT of every task
 *     minio/typeflow/<pipeline>/<run-id>/<task>/<uuid>/<output>    ← minio://typeflow/…
 *     s3/<bucket>/…       ← s3://<bucket>/… (when the pipeline sets such a pipeline root)
 *   runs/<run-id>/
 *     run.json            what ran, with states, durations and outputs
 *     logs/<task path>.log
 *     tasks/<task path>/  scratch per task: output parameter files
 *   cache/<key>.json      content-addressed cache: output parameters and artifact URIs
 * ```
 *
 * Every file is written atomically (temporary file, then rename), so an interrupted run never
 * leaves a half-written cache entry behind.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { localPathForUri } from '../executor/uri.ts'
import type { Value } from './spec.ts'

/** The default pipeline root of local runs: `minio://typeflow` ↔ `.typeflow/artifacts/minio/typeflow`. */
export const LOCAL_PIPELINE_ROOT = 'minio://typeflow'

/** An artifact as it travels between tasks (a KFP `RuntimeArtifact`). */
export interface StoredArtifact {
  readonly name: string
  readonly uri: string
  readonly type: { readonly schemaTitle?: string; readonly schemaVersion?: string }
  readonly metadata: { readonly [key: string]: Value }
}

/** What a task produced. */
export interface TaskOutputs {
  readonly parameters: Readonly<Record<string, Value>>
  readonly artifacts: Readonly<Record<string, readonly StoredArtifact[]>>
}

/** One cache entry: the outputs of a successful execution, under its content key. */
export interface CacheEntry {
  readonly version: 1
  readonly key: string
  readonly pipeline: string
  readonly task: string
  readonly path: string
  readonly runId: string
  readonly createdAt: string
  readonly durationMs: number
  readonly outputs: TaskOutputs
}

/**
 * Writes a file atomically: a temporary file in the same directory, then a rename.
 *
 * @example
 * ```ts
 * writeFileAtomic('.typeflow/cache/ab12.json', JSON.stringify(entry))
 * ```
 */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true })
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    writeFileSync(temp, content)
    renameSync(temp, path)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}

/**
 * A fresh, sortable run id: `<UTC date>-<time>-<random>`.
 *
 * @example
 * ```ts
 * newRunId() // '20260102-150405-3fa9c2'
 * ```
 */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${stamp}-${randomBytes(3).toString('hex')}`
}

/** Path-safe form of a task path (`for-loop-2[1]/double` → `for-loop-2_1/double`). */
function safePath(taskPath: string): string {
  return taskPath
    .split('/')
    .map((segment) => segment.replace(/\[(\d+)\]/g, '_$1').replace(/[^\w.-]/g, '_') || '_')
    .join('/')
}

/**
 * The `.typeflow/` directory: artifacts, runs and the cache.
 *
 * @example
 * ```ts
 * const store = new LocalStore('.typeflow')
 * const hit = store.readCache(key)
 * ```
 */
export class LocalStore {
  /** Absolute path of the store. */
  readonly dir: string
  /** The local object store: `TYPEFLOW_LOCAL_ROOT` of every task (`gs://`, `s3://`, `minio://` live here). */
  readonly artifactRoot: string

  constructor(dir: string) {
    this.dir = resolve(dir)
    this.artifactRoot = join(this.dir, 'artifacts')
  }

  /** The directory of one run. */
  runDir(runId: string): string {
    return join(this.dir, 'runs', runId)
  }

  /** The scratch directory of one task execution of a run. */
  taskDir(runId: string, taskPath: string): string {
    return join(this.runDir(runId), 'tasks', safePath(taskPath))
  }

  /** The log file of one task of a run. */
  logFile(runId: string, taskPath: string): string {
    return join(this.runDir(runId), 'logs', `${safePath(taskPath)}.log`)
  }

  /** The local file or directory behind a URI, when the URI lives in this store. */
  localPath(uri: string): string | undefined {
    return localPathForUri(uri, this.artifactRoot)
  }

  private cacheFile(key: string): string {
    if (!/^[0-9a-f]{16,128}$/.test(key)) throw new Error(`invalid cache key ${JSON.stringify(key)}`)
    return join(this.dir, 'cache', `${key}.json`)
  }

  /**
   * The cache entry for a key, or undefined when there is none, it cannot be read, or one of its
   * artifacts that should live in this store is gone (a deleted run cannot serve a hit).
   */
  readCache(key: string): CacheEntry | undefined {
    const file = this.cacheFile(key)
    if (!existsSync(file)) return undefined
    let entry: CacheEntry
    try {
      entry = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry
    } catch {
      return undefined
    }
    if (entry?.version !== 1 || entry.key !== key || typeof entry.outputs !== 'object') return undefined
    for (const list of Object.values(entry.outputs.artifacts ?? {})) {
      for (const artifact of list) {
        const local = this.localPath(artifact.uri)
        if (local !== undefined && !existsSync(local)) return undefined
      }
    }
    return entry
  }

  /** Records a cache entry (atomically). */
  writeCache(entry: CacheEntry): void {
    writeFileAtomic(this.cacheFile(entry.key), `${JSON.stringify(entry, null, 2)}\n`)
  }

  /** Writes the summary of a run to `runs/<run-id>/run.json`. */
  writeRunRecord(runId: string, record: unknown): void {
    writeFileAtomic(join(this.runDir(runId), 'run.json'), `${JSON.stringify(record, null, 2)}\n`)
  }
}
