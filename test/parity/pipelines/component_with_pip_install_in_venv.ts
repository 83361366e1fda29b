import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/components/component_with_pip_install_in_venv.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const componentWithPipInstall = components['component-with-pip-install']!
  return pipeline({ name: 'component-with-pip-install' }, (dag) => {
    dag.task(componentWithPipInstall)
  })
}
