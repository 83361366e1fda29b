/**
 * How the command line picks a pipeline file's pipeline (`loadPipelineFile`): `file.ts#name`, the
 * default export or the only one, and clear E_IO diagnostics for everything else, including a
 * file that would load as CommonJS.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadPipelineFile } from '@typeflow/runtime/load'

const root = resolve(import.meta.dirname, '../..')
const twoPipelines = join(root, 'docs/examples/function-imports.ts')

const PIPELINE_FILE = `import { component, pipeline } from '@typeflow/dsl'
const step = component({ name: 'step', image: 'alpine:3.20', command: ['true'] })
export const other = pipeline({ name: 'other' }, (dag) => { dag.task(step) })
export default pipeline({ name: 'main' }, (dag) => { dag.task(step) })
`

/** A folder outside the repository whose package.json is CommonJS (no "type"), with the workspace's packages. */
function commonJsProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'typeflow-load-'))
  writeFileSync(join(dir, 'package.json'), '{ "name": "legacy", "private": true }\n')
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  writeFileSync(join(dir, 'pipeline.ts'), PIPELINE_FILE)
  writeFileSync(join(dir, 'pipeline.mts'), PIPELINE_FILE)
  return dir
}

const message = (loaded: Awaited<ReturnType<typeof loadPipelineFile>>) => (loaded.ok ? undefined : loaded.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'))

describe('loadPipelineFile', () => {
  it('takes the default export, or the export named after #', async () => {
    const dir = commonJsProject()
    const main = await loadPipelineFile(join(dir, 'pipeline.mts'))
    expect(main.ok && main.pipeline.name).toBe('main')
    const other = await loadPipelineFile(`${join(dir, 'pipeline.mts')}#other`)
    expect(other.ok && other.pipeline.name).toBe('other')
  })

  it('refuses a file that would load as CommonJS, and says how to make it an ES module', async () => {
    // As CommonJS, the module's exports come back under `default`: the wrong pipeline was picked.
    const dir = commonJsProject()
    const loaded = await loadPipelineFile(join(dir, 'pipeline.ts'))
    expect(message(loaded)).toBe(
      `E_IO: ${join(dir, 'pipeline.ts')} would load as CommonJS (${join(dir, 'package.json')} does not say "type": "module"); Typeflow pipeline files are ES modules: add "type": "module" to your package.json, or name the file .mts`,
    )
    expect(loaded.ok || loaded.diagnostics[0]!.source).toEqual({ file: join(dir, 'pipeline.ts'), line: 1, column: 1 })
  })

  it('names the pipelines when the file exports several and none as its default', async () => {
    expect(message(await loadPipelineFile(twoPipelines))).toBe(`E_IO: ${twoPipelines} exports 2 pipelines (captures, textStats) and none as its default: choose one with ${twoPipelines}#captures`)
    expect(message(await loadPipelineFile(`${twoPipelines}#nope`))).toBe(`E_IO: ${twoPipelines} does not export "nope"; its pipelines: captures, textStats`)
    const text = await loadPipelineFile(`${twoPipelines}#textStats`)
    expect(text.ok && text.pipeline.name).toBe('text-stats')
  })

  it('says when a file exports no pipeline, or does not exist', async () => {
    // Inside the repository, whose package.json makes .ts files ES modules.
    const dir = mkdtempSync(join(root, 'test/fixtures/cli/.tmp-load-'))
    try {
      const empty = join(dir, 'empty.ts')
      writeFileSync(empty, 'export const answer = 42\n')
      expect(message(await loadPipelineFile(empty))).toBe(`E_IO: ${empty} exports no pipeline; export one, as its default export`)
      expect(message(await loadPipelineFile(`${empty}#answer`))).toBe(`E_IO: ${empty} exports "answer", but it is not a pipeline`)
      expect(message(await loadPipelineFile(join(dir, 'missing.ts')))).toBe(`E_IO: no such file: ${join(dir, 'missing.ts')}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('places a syntax error where esbuild found it, and an exception at its frame in the file, with their text', async () => {
    const dir = mkdtempSync(join(root, 'test/fixtures/cli/.tmp-load-'))
    const located = (loaded: Awaited<ReturnType<typeof loadPipelineFile>>) =>
      loaded.ok ? undefined : loaded.diagnostics.map((d) => `${d.source?.line}:${d.source?.column} ${d.code}: ${d.message}`)
    try {
      const syntax = join(dir, 'syntax.ts')
      writeFileSync(syntax, "import { pipeline } from '@typeflow/dsl'\nexport default pipeline({ name: 'x' }, (dag) => { dag.task( }) })\n")
      expect(located(await loadPipelineFile(syntax))).toEqual([`2:61 E_IO: cannot load ${syntax}: syntax error: Unexpected "}"`])
      const throws = join(dir, 'throws.ts')
      writeFileSync(throws, "import { pipeline } from '@typeflow/dsl'\nconst settings: { retries?: { count: number } } = {}\nexport default pipeline({ name: 'x' }, () => {\n  console.log(settings.retries!.count)\n})\n")
      // From the command line: Node maps the frame through tsx's source map there (vitest's own
      // stack handling does not, in this process).
      const cli = spawnSync(process.execPath, [join(root, 'packages/cli/bin/typeflow.mjs'), 'compile', throws], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
      expect(cli.status).toBe(1)
      expect(cli.stderr).toBe(`error ${throws}:4:33 - E_IO: cannot load ${throws}: TypeError: Cannot read properties of undefined (reading 'count')\n`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
