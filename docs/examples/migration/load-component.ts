import { join } from 'node:path'
import { Dataset, pipeline } from '@typeflow/dsl'
import { loadComponentFile } from '@typeflow/dsl/kfp'

export const wordCount = loadComponentFile(join(import.meta.dirname, '../components/word-count.yaml'))

export default pipeline({ name: 'count-words' }, (dag) => {
  const book = dag.importer({ uri: 'gs://acme-data/book.txt', type: Dataset })
  dag.task(wordCount, { text: book.outputs.artifact })
})
