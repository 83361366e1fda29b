#!/usr/bin/env node
// The `typeflow` command: loads the TypeScript CLI through tsx, so pipelines stay plain .ts files.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/main.ts')
process.exitCode = await main(process.argv.slice(2))
