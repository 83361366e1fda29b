/**
 * Importers bring an existing artifact into the pipeline by URI (KFP `dsl.importer`).
 */
import { artifact, component, Model, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

export const serve = component({
  name: 'serve',
  image: 'ghcr.io/acme/serve:1.0',
  inputs: { model: artifact(Model) },
  command: ({ inputs }) => ['serve', '--model', inputs.model.path],
})

export const serveExisting = pipeline(
  { name: 'serve-existing', inputs: { modelUri: param.string({ default: 'gs://acme-models/fraud/v7' }) } },
  (dag, p) => {
    const imported = dag.importer({
      uri: p.modelUri,
      type: Model,
      // Recorded on the artifact; import again even if this URI was imported before.
      metadata: { framework: 'xgboost', version: 7 },
      reimport: true,
    })
    dag.task(serve, { model: imported.outputs.artifact })
  },
)

export default serveExisting
build(import.meta, serveExisting)
