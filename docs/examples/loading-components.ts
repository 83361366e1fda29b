/**
 * Reusing KFP components: load a v1 `component.yaml` or a compiled component from YAML. Their
 * inputs are known only at run time, so arguments are checked when the pipeline compiles.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Dataset, pipeline } from '@typeflow/dsl'
import { loadComponent, loadComponentFile, loadPipelineComponents } from '@typeflow/dsl/kfp'
import { build } from '@typeflow/compiler'

/** From a file on disk (paths are relative to the working directory, so anchor them). */
export const wordCount = loadComponentFile(join(import.meta.dirname, 'components/word-count.yaml'))

/** From YAML text. */
export const announce = loadComponent(`
name: Announce
inputs:
- {name: words, type: Integer}
implementation:
  container:
    image: busybox:1.36
    command: [echo, 'words:', {inputValue: words}]
`)

/** Every container component of a compiled KFP pipeline, by component name. */
export const library = loadPipelineComponents(readFileSync(join(import.meta.dirname, 'migration/ingest.kfp.yaml'), 'utf8'))

export const reuse = pipeline({ name: 'reuse' }, (dag) => {
  const text = dag.importer({ uri: 'gs://acme-data/book.txt', type: Dataset })
  // Input names are as the YAML declares them; KFP's `Word count` becomes the task `word-count`.
  const counted = dag.task(wordCount, { text: text.outputs.artifact, min_length: 3 })
  dag.task(announce, { words: counted.outputs['count']! })
  // `download` and `count-lines` from the compiled pipeline.
  const downloaded = dag.task(library['download']!, { url: 'https://example.com/book.txt' })
  dag.task(library['count-lines']!, { data: downloaded.outputs['data']! })
})

export default reuse
build(import.meta, reuse)
