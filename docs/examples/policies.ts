/**
 * Platform policies: every compile checks them. Errors fail the compile, warnings are printed;
 * `--strict` (or `strict: true`) turns warnings into errors.
 */
import { component, pipeline } from '@typeflow/dsl'
import { compile, DEFAULT_POLICIES } from '@typeflow/compiler'

const digest = `sha256:${'a'.repeat(64)}`

export const train = component({ name: 'train', image: `ghcr.io/acme/train@${digest}` })
export const upload = component({ name: 'upload', image: 'ghcr.io/acme/upload:latest' })

/** Fails: a GPU task without a memory limit, and a credential written into an env var. */
export const risky = pipeline({ name: 'risky' }, (dag) => {
  dag.task(train, {}, { resources: { accelerator: { type: 'nvidia.com/gpu' } } })
  dag.task(upload, {}, { env: { API_TOKEN: 'hunter2' } })
})

/** Compiles, with one warning: the `upload` image is a tag, not a digest (W_UNPINNED_IMAGE). */
export const careful = pipeline({ name: 'careful' }, (dag) => {
  dag.task(train, {}, { resources: { memoryLimit: '32Gi', accelerator: { type: 'nvidia.com/gpu' } } })
  dag.task(upload, {}, { kubernetes: { secretsAsEnv: [{ secret: 'upload-token', env: { API_TOKEN: 'token' } }] } })
})

const failed = compile(risky)
// ['E_GPU_WITHOUT_MEMORY_LIMIT', 'E_LITERAL_SECRET']
export const riskyCodes = failed.ok ? [] : failed.diagnostics.map((d) => d.code)

const relaxed = compile(risky, { policies: { E_GPU_WITHOUT_MEMORY_LIMIT: 'off', E_LITERAL_SECRET: 'warning' } })
// ['W_UNPINNED_IMAGE', 'E_LITERAL_SECRET'], as warnings
export const relaxedWarnings = relaxed.ok ? relaxed.warnings.map((d) => d.code) : []

const strict = compile(careful, { strict: true })
// ['W_UNPINNED_IMAGE'], now an error
export const strictCodes = strict.ok ? [] : strict.diagnostics.map((d) => d.code)

/** The defaults, for reference. */
export const defaults = DEFAULT_POLICIES

export default careful
