/**
 * Property tests that do not pick a seed run with this one, so that every CI run of the same
 * commit gives the same verdict. `TYPEFLOW_SEED=<n>` runs another seed (a failure prints the seed
 * and the shrunk counterexample); the property suites' harness reads the same variable.
 */
import fc from 'fast-check'

fc.configureGlobal({ seed: Number(process.env['TYPEFLOW_SEED'] ?? 20_250_611) })
