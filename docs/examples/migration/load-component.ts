import { join } from 'node:path'
import { Dataset, loadComponentFile, pipeline } from '@typeflow/dsl'

export const wordCount = loadComponentFile(join(import.meta.dirname, '../components/word-count.yaml'))

export default pipeline({ name: 'count-words' }, (dag) => {
  const book = dag.importer({ uri: 'gs://acme-data/book.txt', type: Dataset })
  dag.task(wordCount, { text: book.outputs.artifact })
})
