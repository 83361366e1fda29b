import { toYaml, YamlFloat } from './src/writer/yaml.ts'
import { writeFileSync } from 'node:fs'
const n = 10000
const components: Record<string, unknown> = {}, executors: Record<string, unknown> = {}, tasks: Record<string, unknown> = {}
for (let i = 0; i < n; i++) {
  const name = `step-${i}`
  components[`comp-${name}`] = { executorLabel: `exec-${name}`, inputDefinitions: { parameters: { lr: { parameterType: 'NUMBER_DOUBLE', defaultValue: new YamlFloat(0.1), isOptional: true }, msg: { parameterType: 'STRING' } } } }
  executors[`exec-${name}`] = { container: { image: 'python:3.11', args: ['--executor_input', '{{$}}', '--function_to_execute', `step_${i}`],
    command: ['sh', '-c', '\nif ! [ -x "$(command -v pip)" ]; then\n    python3 -m ensurepip || python3 -m ensurepip --user || apt-get install python3-pip\nfi\n\nPIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location \'kfp==2.14.3\' \'--no-deps\' \'typing-extensions>=3.7.4,<5; python_version<"3.9"\' && "$0" "$@"\n',
      'sh', '-ec', 'program_path=$(mktemp -d)\n\nprintf "%s" "$0" > "$program_path/ephemeral_component.py"\n_KFP_RUNTIME=true python3 -m kfp.dsl.executor_main                         --component_module_path                         "$program_path/ephemeral_component.py"                         "$@"\n',
      `\nimport kfp\nfrom kfp import dsl\nfrom kfp.dsl import *\nfrom typing import *\n\ndef step_${i}(lr: float, msg: str, data: Input[Dataset], model: Output[Model]) -> str:\n    """Trains step ${i} with a fairly long description that goes past the eighty column limit."""\n    return msg\n\n`] } }
  tasks[name] = { cachingOptions: { enableCache: true }, componentRef: { name: `comp-${name}` }, dependentTasks: i > 0 ? [`step-${i - 1}`] : [],
    inputs: { parameters: { lr: { runtimeValue: { constant: new YamlFloat(0.01 * (i % 7)) } }, msg: { componentInputParameter: 'msg' } } }, taskInfo: { name } }
}
const d = { components, deploymentSpec: { executors }, root: { dag: { tasks } }, schemaVersion: '2.1.0' }
for (let i = 0; i < 5; i++) { const t = performance.now(); const s = toYaml(d); console.log(`toYaml: ${(performance.now() - t).toFixed(1)} ms, ${(s.length / 1e6).toFixed(2)} MB`); if (i == 0) writeFileSync('/tmp/yw/big.yaml', s) }
