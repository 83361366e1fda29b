/**
 * Objects keyed by names from the pipeline, for the KFP documents.
 *
 * @module
 */

/**
 * An empty object for entries keyed by names from the pipeline: components, executors, tasks,
 * channels. V8 gives a plain object a new hidden class for each new key, and these keys are new in
 * nearly every object, so adding them cost a hidden class each (about 1 µs). Made in dictionary
 * mode (deleting a property that is not the last one), the object takes them at a fifth of that
 * cost. KFP emit of the nested 10,000-task benchmark: median 471 → 434 ms. In any engine it is an
 * ordinary empty object. Keys a container's objects share (a component's input names) are better
 * in plain objects, whose hidden classes are then shared too.
 */
export function nameKeyed<T = unknown>(): Record<string, T> {
  const object: Record<string, unknown> = { first: 0, last: 0 }
  delete object['first']
  delete object['last']
  return object as Record<string, T>
}
