import Ajv2020 from 'ajv/dist/2020.js'
import { standaloneModule } from '../../../schema/standalone.ts'
import { pipelineSpecSchema } from './pipeline-spec.schema.ts'
import { platformSpecSchema } from './platform-spec.schema.ts'

/** The ajv options every KFP validator is built with (generated or compiled at run time). */
export const AJV_OPTIONS = {
  allErrors: true,
  strict: true,
  allowUnionTypes: true, // int64 = string | integer
  verbose: true, // errors carry schema/parentSchema/data, used to word the messages
} as const

/** The source of an ES module exporting `pipeline` and `platform` validate functions. */
export function generateValidatorModule(): string {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: true, lines: false } })
  ajv.addSchema(pipelineSpecSchema, 'pipeline')
  ajv.addSchema(platformSpecSchema, 'platform')
  return standaloneModule(ajv, { pipeline: 'pipeline', platform: 'platform' }, 'pipeline-spec.schema.ts and platform-spec.schema.ts', { rememberFrozenValid: true })
}
