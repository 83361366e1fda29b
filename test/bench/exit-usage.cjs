// Preloaded (`node --require`) into the `tsc` process the type-checking budget times: at exit it
// writes that process's CPU time and peak RSS to stderr as one JSON line, which the bench reads.
'use strict'
process.on('exit', () => {
  const usage = process.resourceUsage()
  process.stderr.write(`\n${JSON.stringify({ typeflowExitUsage: { cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKiB: usage.maxRSS } })}\n`)
})
