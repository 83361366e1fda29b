/**
 * Helpers for the parity translations of kfp-kubernetes goldens (not a translation module itself:
 * it lives beside `./pipelines`, not in it).
 */
import { createPvc, deletePvc, type ComponentDef, type IoSpecNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

/**
 * The DSL's `createPvc` / `deletePvc` with the input descriptions the SDK wrote into a golden (its
 * docstrings, which Typeflow words differently). Everything else (names, types, optionality,
 * defaults, images, outputs) is the DSL's own and must match the golden as it is.
 */
export function pvcComponents(goldenText: string): { readonly createPvc: typeof createPvc; readonly deletePvc: typeof deletePvc } {
  // (Getters: a golden may use only one of the two.)
  const loaded = loadPipelineComponents(goldenText)
  const withDescriptions = <C extends ComponentDef>(component: C, key: string): C => {
    const golden = loaded[key]
    if (!golden) throw new Error(`the golden has no component comp-${key}`)
    const inputs: Record<string, IoSpecNode> = {}
    for (const [name, spec] of Object.entries(component.inputs)) {
      const { description: _ours, ...rest } = spec
      const description = golden.inputs[name]?.description
      inputs[name] = { ...rest, ...(description !== undefined && { description }) } as IoSpecNode
    }
    return Object.freeze({ ...component, inputs: Object.freeze(inputs) }) as C
  }
  return {
    get createPvc() {
      return withDescriptions(createPvc, 'createpvc')
    },
    get deletePvc() {
      return withDescriptions(deletePvc, 'deletepvc')
    },
  }
}
