/** A helper module: function components that import it get it bundled into their code. */

/** Splits text into lowercase words. */
export function words(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9']+/).filter(Boolean)
}
