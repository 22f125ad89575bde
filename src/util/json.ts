/**
 * The one JSON replacer of every summary edgelab writes: NaN and ±Infinity
 * (an undefined Sharpe, an empty sample's mean) are written `null`. Plain
 * `JSON.stringify` already does so for numbers; the replacer states the rule
 * in one place so every writer (and a reader of this file) knows what `null`
 * means in our JSON: "not defined on this sample". Finite numbers keep JSON's
 * shortest round-trip form.
 */
export function jsonSafe(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

/** Pretty JSON document (2-space indent, trailing newline) through `jsonSafe`. */
export function toJsonDocument(doc: unknown): string {
  return JSON.stringify(doc, jsonSafe, 2) + '\n';
}
