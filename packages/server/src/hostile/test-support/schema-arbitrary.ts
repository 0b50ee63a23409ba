/**
 * fast-check arbitraries from the JSON Schemas in openapi.json: values that follow the schema
 * (so requests get past validation into the handlers) mixed with values that do not.
 */
import fc from 'fast-check';

type Schema = Record<string, any>;

export function resolveRef(doc: Schema, s: Schema | undefined): Schema {
  let cur = s ?? {};
  for (let i = 0; i < 10 && typeof cur.$ref === 'string'; i++) {
    cur = cur.$ref.replace(/^#\//, '').split('/').reduce((o: Schema, k: string) => o?.[k], doc) ?? {};
  }
  return cur;
}

const junk = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom('', ' ', '../../etc/passwd', '\u202egba', '%00', '9'.repeat(400), '-1', 'NaN', '1e309', '{}', '[]', 'null'),
  );

function stringFor(s: Schema): fc.Arbitrary<string> {
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as string[]));
  if (s.const !== undefined) return fc.constant(String(s.const));
  if (s.format === 'email') return fc.emailAddress();
  if (typeof s.pattern === 'string') {
    try {
      const re = new RegExp(s.pattern);
      const max = typeof s.maxLength === 'number' ? s.maxLength : 200;
      return fc.stringMatching(re).filter((v) => v.length <= max && v.length >= (s.minLength ?? 0));
    } catch {
      // a pattern JavaScript can not compile: plain strings
    }
  }
  return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 300), unit: 'grapheme' });
}

/** A value following `schema` (depth-limited). */
export function valid(doc: Schema, schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = resolveRef(doc, schema);
  if (depth > 4) return fc.constant(null);
  const alts = s.anyOf ?? s.oneOf;
  if (Array.isArray(alts) && alts.length > 0) return fc.oneof(...alts.map((a: Schema) => valid(doc, a, depth + 1)));
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return stringFor(s);
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1000, -1e9), max: Math.min(s.maximum ?? 1e6, 1e9) });
    case 'number':
      return fc.double({ min: Math.max(s.minimum ?? -1000, -1e9), max: Math.min(s.maximum ?? 1e6, 1e9), noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valid(doc, s.items, depth + 1), { maxLength: Math.min(s.maxItems ?? 4, 4) });
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const required = new Set<string>(s.required ?? []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) shape[k] = valid(doc, v, depth + 1);
      return fc.record(shape, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Mostly schema-following, sometimes a field broken, sometimes anything at all. */
export function fuzzValue(doc: Schema, schema: Schema | undefined): fc.Arbitrary<unknown> {
  const s = resolveRef(doc, schema);
  const broken =
    s.type === 'object' && s.properties
      ? fc.tuple(valid(doc, s), fc.constantFrom(...Object.keys(s.properties)), junk()).map(([v, k, j]) => ({ ...(v as object), [k]: j }))
      : junk();
  return fc.oneof({ weight: 5, arbitrary: valid(doc, s) }, { weight: 3, arbitrary: broken }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });
}
