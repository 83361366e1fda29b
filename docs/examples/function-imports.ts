/**
 * What a function component may use: its own variables, what its file imports (bundled at
 * compile time) and Node's globals; npm packages installed when the pod starts; nothing else.
 */
import { functionComponent, param, pipeline } from '@typeflow/dsl'
import { words } from './helpers/text.ts'

/** Uses an imported helper: bundled into the component's command. */
export const countWords = functionComponent(
  { name: 'count-words', inputs: { text: param.string() }, outputs: { count: param.int() } },
  ({ text }) => ({ count: words(text).length }),
)

/** Declares an npm package: left out of the bundle, installed with npm when the pod starts. */
export const slugify = functionComponent(
  { name: 'slugify', inputs: { text: param.string() }, outputs: { slug: param.string() }, packages: ['slugify@1.6.6'] },
  async ({ text }) => {
    // @ts-expect-error -- installed in the pod, not in this repository
    const { default: slug } = await import('slugify')
    return { slug: String(slug(text)) }
  },
)

export const textStats = pipeline({ name: 'text-stats', inputs: { text: param.string() } }, (dag, p) => {
  dag.task(countWords, { text: p.text })
  dag.task(slugify, { text: p.text })
})

const threshold = 3

/** Reads a module-level constant: its value cannot travel to the pod (E_FUNCTION_CAPTURE). */
export const isLong = functionComponent(
  { name: 'is-long', inputs: { text: param.string() }, outputs: { long: param.bool() } },
  ({ text }) => ({ long: words(text).length > threshold }),
)

export const captures = pipeline({ name: 'captures' }, (dag) => {
  dag.task(isLong, { text: 'a b c d' })
})
