import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/missing_kubernetes_optional_inputs.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'missing-kubernetes-optional-inputs-pipeline',
    caching: false,
    inputs: {
      optional_secret_name: param.string({ optional: true }),
      optional_config_map_name: param.string({ optional: true }),
      optional_image_pull_secret_name: param.string({ optional: true }),
      optional_selector: param.struct({ optional: true }),
      optional_tolerations: param.list({ optional: true }),
      optional_affinity: param.struct({ optional: true }),
    },
  }, (dag, p) => {
    dag.task(c['log-message']!, { message: 'baseline task' }, {
      kubernetes: {
        secretsAsEnv: [{ secret: p.optional_secret_name, env: { PASSWORD: 'password' }, optional: true }],
        secretsAsVolume: [{ secret: p.optional_secret_name, mountPath: '/mnt/secret', optional: true }],
        configMapsAsEnv: [{ configMap: p.optional_config_map_name, env: { SETTING: 'setting' }, optional: true }],
        configMapsAsVolume: [{ configMap: p.optional_config_map_name, mountPath: '/mnt/config', optional: true }],
        imagePullSecrets: [p.optional_image_pull_secret_name],
        nodeSelector: p.optional_selector,
        tolerations: [p.optional_tolerations],
        nodeAffinity: [p.optional_affinity],
      },
    })
  })
}
