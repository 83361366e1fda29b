#!/usr/bin/env node
// The `typeflow` command: loads the TypeScript CLI through tsx, so pipelines stay plain .ts files.
import { register } from 'tsx/esm/api'

// Output piped into a reader that stops early (`| head`): end quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error
    process.exit(process.exitCode ?? 0)
  })
}

register()
const { main } = await import('../src/main.ts')
process.exitCode = await main(process.argv.slice(2))
