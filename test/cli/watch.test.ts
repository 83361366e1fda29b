import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isRelevantChange } from '../../packages/cli/src/watch.ts'

const root = resolve(import.meta.dirname, '../..')
const bin = join(root, 'packages/cli/bin/typeflow.mjs')

/** Polls until `ready()` holds; fails with `describe()` after a generous deadline (this is not a speed test). */
async function until(ready: () => boolean, describe: () => string, deadlineMs = 90_000): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!ready()) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${describe()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const source = (text: string, wiring: 'data' | 'model') => `import { artifact, component, Dataset, Model, pipeline } from '@typeflow/dsl'

const make = component({
  name: 'make',
  image: 'alpine:3.20',
  outputs: { data: artifact(Dataset), model: artifact(Model) },
  command: ({ outputs }) => ['sh', '-c', 'echo ${text} > "$0"; echo m > "$1"', outputs.data.path, outputs.model.path],
})
const use = component({ name: 'use', image: 'alpine:3.20', inputs: { data: artifact(Dataset) }, command: ({ inputs }) => ['cat', inputs.data.path] })

export default pipeline({ name: 'watched' }, (dag) => {
  const made = dag.task(make)
  dag.task(use, { data: made.outputs.${wiring} })
})
`

let child: ChildProcess | undefined
let dir: string | undefined
afterEach(() => {
  child?.kill('SIGTERM')
  child = undefined
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

describe('typeflow compile --watch', () => {
  it('recompiles on change, prints diagnostics without touching the last good output, and recovers', async () => {
    // Inside the repository, so the copy resolves @typeflow/dsl like a user's pipeline; the
    // output folder sits inside the watched folder, as `dist/` next to a pipeline usually does.
    dir = join(root, 'test/fixtures/cli', `.tmp-watch-${process.pid}`)
    mkdirSync(dir, { recursive: true })
    const file = join(dir, 'pipeline.ts')
    const outDir = join(dir, 'dist')
    const output = join(outDir, 'watched.kfp.yaml')
    writeFileSync(file, source('first', 'data'))

    let stdout = ''
    let stderr = ''
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
    delete env['FORCE_COLOR']
    child = spawn(process.execPath, [bin, 'compile', file, '--watch', '--out-dir', outDir], { cwd: root, env })
    child.stdout!.on('data', (chunk) => (stdout += String(chunk)))
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)))
    const state = () => `stdout:\n${stdout}\nstderr:\n${stderr}`
    const content = () => (existsSync(output) ? readFileSync(output, 'utf8') : '')

    // 1. The first compile, then the watchers are up.
    await until(() => content().includes('echo first') && stderr.includes('watching '), state)
    expect(child.exitCode).toBeNull()

    // 2. An edit is picked up.
    writeFileSync(file, source('second', 'data'))
    await until(() => content().includes('echo second'), state)
    const good = content()

    // 3. A wiring error (a Model into a Dataset input): the diagnostic is printed, and the last
    // good output stays exactly as it was, with no half-written file beside it.
    writeFileSync(file, source('third', 'model'))
    await until(() => stderr.includes('E_TYPE_MISMATCH'), state)
    expect(stderr).toMatch(/error .*pipeline\.ts:\d+:\d+ - E_TYPE_MISMATCH at tasks\.use\.inputs\.data: argument type system\.Model@0\.0\.1 is incompatible/)
    expect(content()).toBe(good)
    expect(readdirSync(outDir)).toEqual(['watched.kfp.yaml'])
    expect(child.exitCode).toBeNull()

    // 4. Fixing it compiles again. The file is in place (renamed into it) before the compile
    // says so on stdout, so wait for both.
    const writes = () => stdout.match(/^wrote /gm)?.length ?? 0
    writeFileSync(file, source('fourth', 'data'))
    await until(() => content().includes('echo fourth') && writes() >= 3, state)

    // One write per good compile (first, second, fourth): writing into the watched folder's
    // dist/ never triggered a compile of its own.
    expect(writes()).toBe(3)
  })
})

describe('which changes trigger a compile', () => {
  it('ignores what the compiler writes, temporary files and dependency folders', () => {
    expect(isRelevantChange('/p/pipeline.ts', '/p/dist')).toBe(true)
    expect(isRelevantChange('/p/components/train.yaml', '/p/dist')).toBe(true)
    expect(isRelevantChange('/p/dist/train.kfp.yaml', '/p/dist')).toBe(false)
    expect(isRelevantChange('/p/dist/train.argo.yaml', '/p/dist')).toBe(false)
    expect(isRelevantChange('/p/dist/train.kfp.yaml.123.ab12cd34.tmp', '/p/dist')).toBe(false)
    // Output written next to the pipeline (--out-dir .): only the outputs are ignored.
    expect(isRelevantChange('/p/train.kfp.yaml', '/p')).toBe(false)
    expect(isRelevantChange('/p/pipeline.ts', '/p')).toBe(true)
    expect(isRelevantChange('/p/node_modules/x/index.js', '/p/dist')).toBe(false)
    expect(isRelevantChange('/p/.typeflow/runs/1/run.json', '/p/dist')).toBe(false)
    expect(isRelevantChange('/p/.pipeline.ts.swp', '/p/dist')).toBe(false)
  })

  it('ignores files that are not code, JSON or YAML (a watch redirected to build.log would recompile forever)', () => {
    for (const file of ['build.log', 'quickstart.html', 'notes.md', 'picture.svg']) expect(isRelevantChange(`/p/${file}`, '/p/dist')).toBe(false)
    for (const file of ['lib.mts', 'helper.js', 'config.json', 'component.yml', 'view.tsx']) expect(isRelevantChange(`/p/${file}`, '/p/dist')).toBe(true)
  })
})
