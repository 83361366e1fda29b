/**
 * Output safety: a failed compile writes nothing; files are replaced atomically; a write that fails
 * half-way puts back what was there; and compiles racing for the same output directory leave one
 * compile's complete set of files, never a torn file or one writer's KFP file next to the other's
 * Argo file.
 */
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TypeflowError } from '@typeflow/dsl'
import { compile } from '@typeflow/compiler'
import { WRITE_LOCK, writeFilesAtomically } from '../../packages/compiler/src/writer/files.ts'
import { RACE_TARGETS, racePipeline } from './fixtures/race.ts'

const root = resolve(import.meta.dirname, '../..')
const fixtures = 'test/hostile/fixtures'
const bin = join(root, 'packages/cli/bin/typeflow.mjs')
const scratch = mkdtempSync(join(tmpdir(), 'typeflow-output-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
let counter = 0
const freshDir = () => join(scratch, `case-${counter++}`)

/** Every file below a directory with its bytes: what "untouched" is compared with. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (!existsSync(dir)) return out
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name)
    out[path.slice(dir.length + 1)] = entry.isFile() ? readFileSync(path, 'base64') : '<dir>'
  }
  return out
}

/** Leftovers of a writer: temporary files, backups, locks. */
function leftovers(dir: string): string[] {
  return Object.keys(snapshot(dir)).filter((p) => /\.(tmp|bak|stale)$/.test(p) || p.endsWith(WRITE_LOCK))
}

function raceFiles(writer: string) {
  const result = compile(racePipeline(writer), { targets: RACE_TARGETS })
  if (!result.ok) throw new Error('the race pipeline does not compile')
  return result.files
}

function ioDiagnostic(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(TypeflowError)
    const diagnostics = (error as TypeflowError).diagnostics
    expect(diagnostics.map((d) => d.code)).toEqual(['E_IO'])
    return diagnostics[0]!.message
  }
  throw new Error('wrote although it should have failed')
}

describe('a failed compile writes nothing', () => {
  function prefilled(): { dir: string; before: Record<string, string> } {
    const dir = freshDir()
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'race.kfp.yaml'), 'old kfp\n')
    writeFileSync(join(dir, 'race.argo.yaml'), 'old argo\n')
    writeFileSync(join(dir, 'unrelated.txt'), 'keep me\n')
    return { dir, before: snapshot(dir) }
  }

  it('`tsx pipeline.ts` (build) with diagnostics leaves the output directory as it was', () => {
    const { dir, before } = prefilled()
    const run = spawnSync(process.execPath, ['--import', 'tsx', `${fixtures}/bad.ts`, '--out-dir', dir], { cwd: root, encoding: 'utf8' })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('E_INVALID_NAME')
    expect(run.stderr).toContain('nothing was written')
    expect(snapshot(dir)).toEqual(before)
  })

  it('`typeflow compile` with diagnostics leaves the output directory as it was', () => {
    const { dir, before } = prefilled()
    const run = spawnSync(process.execPath, [bin, 'compile', `${fixtures}/bad.ts`, '--target', 'kfp,argo', '--out-dir', dir], { cwd: root, encoding: 'utf8' })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('E_INVALID_NAME')
    expect(snapshot(dir)).toEqual(before)
  })

  // The usage promises "Writes nothing when any diagnostic is found": the good file's outputs are
  // not written either, in whichever order the files come.
  it('`typeflow compile good.ts bad.ts` writes nothing when one of them fails', () => {
    for (const order of [['race-a.ts', 'bad.ts'], ['bad.ts', 'race-a.ts']]) {
      const { dir, before } = prefilled()
      const run = spawnSync(process.execPath, [bin, 'compile', ...order.map((f) => `${fixtures}/${f}`), '--target', 'kfp,argo', '--out-dir', dir], { cwd: root, encoding: 'utf8' })
      expect(run.status, order.join(' ')).toBe(1)
      expect(run.stderr).toContain('E_INVALID_NAME')
      expect(run.stdout, order.join(' ')).not.toContain('wrote ')
      expect(snapshot(dir), order.join(' ')).toEqual(before)
    }
  })

  it('`typeflow compile` of two pipelines named alike refuses both (E_DUPLICATE_NAME) and writes nothing', () => {
    const { dir, before } = prefilled()
    const run = spawnSync(process.execPath, [bin, 'compile', `${fixtures}/race-a.ts`, `${fixtures}/race-b.ts`, '--target', 'kfp,argo', '--out-dir', dir], { cwd: root, encoding: 'utf8' })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('E_DUPLICATE_NAME')
    expect(snapshot(dir)).toEqual(before)
  })

  it('`typeflow compile good-a.ts good-b.ts` writes both sets', () => {
    const dir = freshDir()
    const run = spawnSync(process.execPath, [bin, 'compile', `${fixtures}/race-a.ts`, 'examples/quickstart/pipeline.ts', '--target', 'kfp,argo', '--out-dir', dir], { cwd: root, encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    expect(Object.keys(snapshot(dir)).sort()).toEqual(['quickstart.argo.yaml', 'quickstart.kfp.yaml', 'race.argo.yaml', 'race.kfp.yaml'])
  })
})

describe('writeFilesAtomically', () => {
  const files = [
    { path: 'p.kfp.yaml', content: 'new kfp\n' },
    { path: 'p.argo.yaml', content: 'new argo\n' },
  ]

  it('writes every file and leaves nothing else', () => {
    const dir = freshDir()
    const written = writeFilesAtomically(dir, files)
    expect(written).toEqual(files.map((f) => join(dir, f.path)))
    expect(snapshot(dir)).toEqual(Object.fromEntries(files.map((f) => [f.path, Buffer.from(f.content).toString('base64')])))
  })

  it('a rename that fails half-way puts the files already replaced back, and leaves no temporary file', () => {
    const dir = freshDir()
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'p.kfp.yaml'), 'old kfp\n')
    // The second target is a non-empty directory: renaming a file onto it fails.
    mkdirSync(join(dir, 'p.argo.yaml', 'inside'), { recursive: true })
    const before = snapshot(dir)
    expect(ioDiagnostic(() => writeFilesAtomically(dir, files))).toMatch(/^cannot write to .*; the files there were left as they were$/)
    expect(snapshot(dir)).toEqual(before)
  })

  it('a new file is removed again when a later one cannot be put in place', () => {
    const dir = freshDir()
    mkdirSync(join(dir, 'p.argo.yaml', 'inside'), { recursive: true })
    const before = snapshot(dir)
    ioDiagnostic(() => writeFilesAtomically(dir, files))
    expect(snapshot(dir)).toEqual(before)
  })

  // Root ignores directory permissions, so the failure cannot be provoked this way as root.
  it.skipIf(process.getuid?.() === 0)('an output directory it may not write to gives E_IO and changes nothing', () => {
    const dir = freshDir()
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'p.kfp.yaml'), 'old\n')
    chmodSync(dir, 0o555)
    try {
      const before = snapshot(dir)
      ioDiagnostic(() => writeFilesAtomically(dir, files))
      expect(snapshot(dir)).toEqual(before)
    } finally {
      chmodSync(dir, 0o755)
    }
  })

  it('an output directory below a file gives E_IO, not an exception of another kind', () => {
    const file = join(freshDir(), 'a-file')
    mkdirSync(resolve(file, '..'), { recursive: true })
    writeFileSync(file, 'x')
    expect(ioDiagnostic(() => writeFilesAtomically(join(file, 'out'), files))).toMatch(/^cannot write to /)
  })

  it.each([['../escape.yaml'], ['/etc/typeflow.yaml'], ['sub/../../escape.yaml'], ['']])('refuses the path %j, which leaves the output directory', (path) => {
    const dir = freshDir()
    expect(ioDiagnostic(() => writeFilesAtomically(dir, [{ path, content: 'x' }]))).toMatch(/must stay inside/)
    expect(existsSync(join(dir, '..', 'escape.yaml'))).toBe(false)
  })

  it('breaks a lock left by a writer that died, and removes it when done', () => {
    const dir = freshDir()
    mkdirSync(dir, { recursive: true })
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    const host = (spawnSync(process.execPath, ['-e', 'process.stdout.write(require("os").hostname())'], { encoding: 'utf8' }).stdout)
    writeFileSync(join(dir, WRITE_LOCK), `${host} ${dead.stdout} 0123456789ab`)
    writeFilesAtomically(dir, files)
    expect(readFileSync(join(dir, 'p.argo.yaml'), 'utf8')).toBe('new argo\n')
    expect(leftovers(dir)).toEqual([])
  })

  it('replaces a symbolic link at the target instead of writing through it', () => {
    const dir = freshDir()
    mkdirSync(dir, { recursive: true })
    const elsewhere = join(scratch, `elsewhere-${counter++}`)
    writeFileSync(elsewhere, 'not yours\n')
    spawnSync('ln', ['-s', elsewhere, join(dir, 'p.kfp.yaml')])
    writeFilesAtomically(dir, files)
    expect(readFileSync(elsewhere, 'utf8')).toBe('not yours\n')
    expect(statSync(join(dir, 'p.kfp.yaml')).isFile()).toBe(true)
    expect(readFileSync(join(dir, 'p.kfp.yaml'), 'utf8')).toBe('new kfp\n')
  })
})

describe('compiles racing for the same output directory', () => {
  const outputs = { a: raceFiles('a'), b: raceFiles('b') }
  const names = outputs.a.map((f) => f.path)

  /** Which writer's complete set a directory holds; fails on a mix, a torn file or a leftover. */
  function writerOf(dir: string): string {
    const listing = readdirSync(dir).sort()
    expect(listing, dir).toEqual([...names].sort())
    const owners = names.map((name) => {
      const text = readFileSync(join(dir, name), 'utf8')
      const owner = (['a', 'b'] as const).find((w) => outputs[w].find((f) => f.path === name)!.content === text)
      expect(owner, `${dir}/${name} is one writer's complete file`).toBeDefined()
      return owner!
    })
    expect(new Set(owners).size, `${dir}: ${names.map((n, i) => `${n} from writer ${owners[i]}`).join(', ')}`).toBe(1)
    return owners[0]!
  }

  it('two processes rewriting the same directories 200 times, watched by a reader: always one writer\'s complete set', async () => {
    const race = freshDir()
    mkdirSync(race, { recursive: true })
    const dirs = 3
    const rounds = 200
    const worker = (...args: string[]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', `${fixtures}/race-worker.ts`, ...args], { cwd: root })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => (stdout += String(d)))
      child.stderr.on('data', (d) => (stderr += String(d)))
      return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => child.on('close', (code) => done({ code, stdout, stderr })))
    }
    const writers = [worker('write', race, 'a', String(dirs), String(rounds)), worker('write', race, 'b', String(dirs), String(rounds))]
    const reader = worker('read', race, String(dirs))
    // Start together, once all three have compiled and are waiting.
    while (!['ready-a', 'ready-b', 'ready-reader'].every((f) => existsSync(join(race, f)))) await new Promise((r) => setTimeout(r, 20))
    writeFileSync(join(race, 'go'), '')
    const results = await Promise.all(writers)
    writeFileSync(join(race, 'done'), '')
    const watched = await reader
    for (const r of [...results, watched]) expect(r.code, r.stderr).toBe(0)

    const watch = JSON.parse(watched.stdout) as { reads: number; seen: Record<string, number>; bad: string[] }
    expect(watch.bad).toEqual([])
    expect(watch.reads).toBeGreaterThan(0)
    for (let k = 0; k < dirs; k++) writerOf(join(race, `d${k}`))
    expect(leftovers(race)).toEqual([])
    console.log(
      `[output-safety] ${2 * dirs * rounds} writes into ${dirs} shared directories; the reader read ${watch.reads} sets under the lock ` +
        `(${watch.seen['a']} writer a's, ${watch.seen['b']} writer b's), none torn or mixed`,
    )
  })

  it('two `typeflow compile` runs of different pipelines named alike, at once: one complete set', async () => {
    const dir = freshDir()
    const cli = (file: string) =>
      new Promise<number | null>((done) => {
        const child = spawn(process.execPath, [bin, 'compile', `${fixtures}/${file}`, '--target', 'kfp,argo', '--out-dir', dir], { cwd: root, stdio: 'ignore' })
        child.on('close', done)
      })
    expect(await Promise.all([cli('race-a.ts'), cli('race-b.ts')])).toEqual([0, 0])
    writerOf(dir)
    expect(leftovers(dir)).toEqual([])
  })
})
