/**
 * Kubeflow Pipelines interop. Existing KFP components as Typeflow components: a v1
 * `component.yaml`, a compiled component, or every component of a compiled pipeline; their
 * inputs and outputs are known only at run time, so their arguments are checked when the
 * pipeline compiles. And KFP's spelling of command-line placeholders (`{{$.inputs…}}`,
 * `{"Concat": …}`), both ways, as the compiler writes it and `typeflow import` reads it.
 *
 * An entry of its own, apart from `@typeflow/dsl`, because the loaders bring a YAML parser and
 * the schemas of KFP's file formats: a pipeline file that loads no YAML does not type-check them
 * every time it is checked.
 *
 * @example
 * ```ts
 * import { Dataset, pipeline } from '@typeflow/dsl'
 * import { loadComponentFile } from '@typeflow/dsl/kfp'
 * const wordCount = loadComponentFile('components/word-count.yaml')
 * export default pipeline({ name: 'count-words' }, (dag) => {
 *   const book = dag.importer({ uri: 'gs://acme-data/book.txt', type: Dataset })
 *   dag.task(wordCount, { text: book.outputs.artifact })
 * })
 * ```
 * @module
 */
export { loadComponent, loadComponentFile, loadPipelineComponents, type LoadedComponent, type LoadedSpecs } from './load-kfp.ts'
export { compareCodePoints, driverJson, driverNumberText, driverText, kfpPlaceholder, parseKfpArg, parseKfpText, pythonJsonDumps, renderKfpArg, renderKfpText } from './kfp-placeholders.ts'
