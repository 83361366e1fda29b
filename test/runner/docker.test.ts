import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { runPipeline } from '../../packages/runtime/src/runner/index.ts'
import linear from '../fixtures/runner/linear.ts'
import { cleanup, states, tempDir } from './helpers.ts'

afterAll(cleanup)

/**
 * A stand-in for `docker`: logs its arguments, answers `info`, and for `run` executes the command
 * on the host with the container paths of the mounts (`-v host:container`) mapped back to the host.
 */
const FAKE_DOCKER = `#!/usr/bin/env node
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const args = process.argv.slice(2)
fs.appendFileSync(process.env.FAKE_DOCKER_LOG, JSON.stringify(args) + '\\n')
if (args[0] === 'info') { console.log('28.0.0'); process.exit(0) }
if (args[0] !== 'run') process.exit(0)
const mounts = []
const env = { ...process.env }
let entrypoint
let i = 1
for (; i < args.length; i++) {
  const a = args[i]
  if (a === '--rm') continue
  if (a === '--name' || a === '--user') { i++; continue }
  if (a === '-v') { const [src, dst] = args[++i].split(':'); mounts.push([dst, src]); continue }
  if (a === '-e') { const kv = args[++i]; env[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1); continue }
  if (a === '--entrypoint') { entrypoint = args[++i]; continue }
  break
}
i++ // the image
mounts.sort((a, b) => b[0].length - a[0].length)
const map = (s) => mounts.reduce((t, [dst, src]) => (t === dst ? src : t.split(dst + '/').join(src + '/')), s)
const line = [...(entrypoint ? [entrypoint] : []), ...args.slice(i)].map(map)
const result = spawnSync(line[0], line.slice(1), { stdio: 'inherit', env })
process.exit(result.status ?? 1)
`

describe('container components with a container runtime', () => {
  const path = process.env['PATH']
  afterEach(() => {
    process.env['PATH'] = path
    delete process.env['FAKE_DOCKER_LOG']
  })

  it('run with docker: the store is mounted where a KFP pod has its object-store mounts', async () => {
    const bin = tempDir()
    writeFileSync(join(bin, 'docker'), FAKE_DOCKER)
    chmodSync(join(bin, 'docker'), 0o755)
    const log = join(bin, 'docker.log')
    process.env['PATH'] = `${bin}:${path}`
    process.env['FAKE_DOCKER_LOG'] = log
    const storeDir = tempDir()
    const result = await runPipeline(linear, { storeDir, containerRuntime: 'docker' })
    expect(result.tasks.map((t) => t.error).filter(Boolean)).toEqual([])
    expect(result.status).toBe('succeeded')
    expect(result.outputs).toEqual({ result: 'hello:4' })
    expect(result.tasks.map((t) => t.mode)).toEqual(['docker', 'docker', 'docker'])

    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[])
    expect(calls[0]).toEqual(['info', '--format', '{{.ServerVersion}}'])
    const double = calls.find((c) => c[0] === 'run' && c.includes('echo $(($0 * 2)) > "$1"'))!
    const at = double.indexOf('alpine:3.20')
    expect(double.slice(0, 3)).toEqual(['run', '--rm', '--name'])
    expect(double).toContain(`${join(storeDir, 'artifacts', 'minio')}:/minio`)
    expect(double).toContain(`${join(storeDir, 'runs', result.runId, 'tasks', 'double', 'outputs')}:/tmp/kfp/outputs`)
    expect(double.slice(at - 2)).toEqual(['--entrypoint', 'sh', 'alpine:3.20', '-c', 'echo $(($0 * 2)) > "$1"', '2', '/tmp/kfp/outputs/out'])
    const make = calls.find((c) => c[0] === 'run' && c.includes('alpine:3.20') && c.at(-1)!.endsWith('/data'))!
    expect(make.at(-1)).toMatch(new RegExp(`^/minio/typeflow/linear/${result.runId}/make/[0-9a-f-]+/data$`))
    expect(states(result)).toEqual({ make: 'done', double: 'done', combine: 'done' })
  })
})
