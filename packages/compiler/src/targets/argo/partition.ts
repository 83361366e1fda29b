/**
 * Cutting a DAG that is too large for one Argo DAG template into blocks.
 *
 * The scheme: tasks are taken in a topological order by depth (longest path from a source), and
 * consecutive tasks fill a block until it reaches the task, byte or input-parameter budget. Blocks
 * become nested DAG templates ("partitions"); if there are still too many, consecutive blocks are
 * grouped again, level by level, so every DAG stays under the caps whatever the size. Because each
 * block only holds tasks that come after its producers, blocks depend on earlier blocks only and the
 * block graph stays acyclic.
 *
 * A block waits for everything in the blocks it depends on, so cutting in the middle of a wide
 * level would make half the level wait for the other half. A block therefore also ends where a
 * level begins that would not fit in what is left of it: a fan-out of 5,000 tasks becomes its
 * root's block plus blocks of the fan-out level, which all run in parallel.
 *
 * Level order has a cost in deep trees (each task feeding a few tasks, each feeding a few more): a
 * level's values all go to the next level, so the blocks holding a level hand out a value per task
 * and their templates outgrow any object. When that happens, the scope is packed again in a
 * depth-first topological order, where consecutive tasks form sub-trees that hand out few values
 * (`buildScopeTemplate` in dag.ts chooses).
 *
 * @module
 */

/** One thing to place: a task, or a block when grouping blocks. */
export interface PartitionItem {
  /** Longest path from a source of the scope; only block boundaries at level changes use it. */
  readonly depth: number
  /** Estimated bytes of this item's entry in a DAG template. */
  readonly bytes: number
  /**
   * Parameter values the item takes from other items or from outside the scope (artifacts are not
   * capped, so they are left out): a key per distinct value and the index of the producing item
   * (undefined when it comes from outside the scope).
   */
  readonly needs: readonly { readonly key: string; readonly producer: number | undefined }[]
}

/** The budgets of one DAG template. */
export interface PartitionLimits {
  readonly maxItems: number
  readonly maxBytes: number
  /** Inputs a block may receive (the v4 CRDs allow 500 input parameters per template). */
  readonly maxImports: number
}

/**
 * Splits items (already in the order to keep) into consecutive blocks within the limits. Returns
 * the item indexes of each block. An item too large for any block still gets a block of its own.
 */
export function formBlocks(items: readonly PartitionItem[], limits: PartitionLimits): number[][] {
  const levelSize = new Map<number, number>()
  for (const item of items) levelSize.set(item.depth, (levelSize.get(item.depth) ?? 0) + 1)

  const blocks: number[][] = []
  let current: number[] = []
  let members = new Set<number>()
  let imports = new Set<string>()
  let bytes = 0
  const close = () => {
    if (current.length > 0) blocks.push(current)
    current = []
    members = new Set()
    imports = new Set()
    bytes = 0
  }
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!
    const newImports = item.needs.filter((n) => (n.producer === undefined || !members.has(n.producer)) && !imports.has(n.key))
    const distinctNew = new Set(newImports.map((n) => n.key)).size
    if (current.length > 0) {
      const previous = items[current[current.length - 1]!]!
      const levelStarts = previous.depth !== item.depth && (levelSize.get(item.depth) ?? 0) > limits.maxItems - current.length
      const full =
        current.length >= limits.maxItems || bytes + item.bytes > limits.maxBytes || imports.size + distinctNew > limits.maxImports
      if (levelStarts || full) close()
    }
    const fresh = item.needs.filter((n) => n.producer === undefined || !members.has(n.producer))
    for (const n of fresh) imports.add(n.key)
    current.push(i)
    members.add(i)
    bytes += item.bytes
  }
  close()
  return blocks
}
