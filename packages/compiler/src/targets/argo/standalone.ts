import Ajv2020 from 'ajv/dist/2020.js'
import { standaloneModule } from '../../schema/standalone.ts'
import { argoDocumentSchema } from './schema.ts'

/** The ajv options the Argo document validator is built with. */
export const ARGO_AJV_OPTIONS = {
  allErrors: true,
  strict: true,
  // The `required` inside `not` and `if` name properties declared beside them.
  strictRequired: false,
  // Errors carry their schema: the `not` of notBoth and exactlyOne names its fields.
  verbose: true,
} as const

/** The source of an ES module exporting the `document` validate function (see schema.ts). */
export function generateArgoValidatorModule(): string {
  const ajv = new Ajv2020({ ...ARGO_AJV_OPTIONS, code: { source: true, esm: true, lines: false } })
  ajv.addSchema(argoDocumentSchema, 'document')
  return standaloneModule(ajv, { document: 'document' }, 'targets/argo/schema.ts')
}
