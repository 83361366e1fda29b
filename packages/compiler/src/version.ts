/** The Typeflow release, written into emitted files. */
export const TYPEFLOW_VERSION = '0.1.0'
