// The TypeScript of the API's schemas (OpenAPI `components.schemas`, as @nestjs/swagger writes
// them): one exported type per schema, named as in the document. A small converter rather than a
// dependency: openapi-typescript wants TypeScript 5, this repository builds with 6.

/** @param {any} schema @param {string} indent @returns {string} */
function typeOf(schema, indent) {
  if (schema.$ref) return schema.$ref.replace('#/components/schemas/', '');
  const variants = schema.oneOf ?? schema.anyOf;
  let type;
  if (variants) type = variants.map((/** @type {any} */ v) => typeOf(v, indent)).join(' | ');
  else if (schema.allOf)
    type = schema.allOf.map((/** @type {any} */ v) => typeOf(v, indent)).join(' & ');
  else if (schema.enum) type = schema.enum.map(literal).join(' | ');
  else if (schema.type === 'array') type = `${wrap(typeOf(schema.items ?? {}, indent))}[]`;
  else if (schema.type === 'object' || schema.properties) type = objectOf(schema, indent);
  else if (schema.type === 'integer' || schema.type === 'number') type = 'number';
  else if (schema.type === 'string') type = 'string';
  else if (schema.type === 'boolean') type = 'boolean';
  else type = 'unknown';
  return schema.nullable ? `${wrap(type)} | null` : type;
}

/** @param {unknown} value */
const literal = (value) =>
  typeof value === 'string' ? `'${value.replace(/[\\']/g, '\\$&')}'` : JSON.stringify(value);

/** @param {string} type */
const wrap = (type) => (/[|&]/.test(type) ? `(${type})` : type);

/** @param {any} schema @param {string} indent */
function objectOf(schema, indent) {
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const optional = required.has(name) ? '' : '?';
    return `${inner}${name}${optional}: ${typeOf(property, inner)};`;
  });
  if (fields.length === 0) return 'Record<string, unknown>';
  return `{\n${fields.join('\n')}\n${indent}}`;
}

/** @param {any} document @returns {string} */
export function openApiToTypeScript(document) {
  const schemas = Object.entries(document.components?.schemas ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  const lines = [
    "// Generated from the server's OpenAPI document by `npm run generate:types -w packages/sdk`.",
    '// Do not edit: test/api-types.test.ts fails when this differs from what the server serves.',
    '',
  ];
  for (const [name, schema] of schemas) {
    lines.push(`export type ${name} = ${typeOf(schema, '')};`, '');
  }
  return lines.join('\n');
}
