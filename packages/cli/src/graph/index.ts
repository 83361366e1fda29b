/**
 * `typeflow graph`: the pipeline DAG as a neutral model, and its renderers.
 *
 * @module
 */
export {
  formatDuration,
  graphModel,
  parseRunStatus,
  type GraphEdge,
  type GraphGroup,
  type GraphModel,
  type GraphNode,
  type GroupKind,
  type NodeKind,
  type NodeStatus,
  type RunState,
  type RunStatus,
  type RunStatusMap,
  type RunSummary,
} from './model.ts'
export { mermaidText, toMermaid } from './mermaid.ts'
export { toSvg } from './svg.ts'
export { toHtml } from './html.ts'
export { escapeXml } from './text.ts'
export { graphCommand, renderGraphFile, type GraphFormat } from './command.ts'
