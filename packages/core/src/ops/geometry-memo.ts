/**
 * A memo for the shape package's geometry resolution (`convGeometry`, `poolGeometry`) in the ops that resolve the
 * same few geometries on every training step. The key is the input shape and the option values, and a memo is used
 * only when every option value is a primitive (a number, a string, a boolean or undefined): arrays are mutable and
 * their text is ambiguous, so calls with a tuple option resolve every time. `resolve` must be a pure function of the
 * shape and those values; a call that throws stores nothing (invalid arguments throw on every call). The cached
 * value is the op's own (never handed to callers), so nobody can modify it.
 */
const MAX_ENTRIES = 64;

export function memoGeometry<T>(
  memo: Map<string, T>,
  shape: readonly number[],
  options: readonly unknown[],
  resolve: () => T,
): T {
  let key = '';
  for (let i = 0; i < shape.length; i++) key += `${shape[i]},`;
  for (let i = 0; i < options.length; i++) {
    const v = options[i];
    if (typeof v === 'number') key += `|n${v}`;
    else if (typeof v === 'string') key += `|s${v.length}:${v}`;
    else if (typeof v === 'boolean') key += v ? '|T' : '|F';
    else if (v === undefined) key += '|u';
    else return resolve();
  }
  const known = memo.get(key);
  if (known !== undefined) return known;
  const value = resolve();
  if (memo.size >= MAX_ENTRIES) memo.clear();
  memo.set(key, value);
  return value;
}
