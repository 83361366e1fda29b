#!/usr/bin/env node
// Compiles every examples/<name>/pipeline.ts the way a user would: `tsx pipeline.ts`.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const examples = readdirSync('examples', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join('examples', entry.name, 'pipeline.ts')))
  .map((entry) => join('examples', entry.name, 'pipeline.ts'))
  .sort()
let failed = 0
for (const file of examples) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', file, ...process.argv.slice(2)], { stdio: 'inherit' })
  if (run.status !== 0) failed++
}
process.exit(failed === 0 ? 0 : 1)
