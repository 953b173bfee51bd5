import { isDocument, LineCounter, parseAllDocuments, stringify, type Document } from 'yaml';
import { yamlErrorProblem } from './quietYaml';

/**
 * Kubeconfig YAML read and written the way kubectl reads it, so what we write back means to
 * kubectl what the user's file meant. kubectl decodes with sigs.k8s.io/yaml over go-yaml v2:
 *
 * - YAML 1.1 scalars: `yes`, `on`, `y` are true, `no`, `off`, `n` false (a YAML 1.2 reader keeps
 *   them as strings, and `insecure-skip-tls-verify: "yes"` written back breaks every kubectl
 *   command); merge keys (`<<`) and anchors expand.
 * - then Go's strict JSON typing: a field kubectl declares as a string must hold text; kubectl
 *   refuses the whole file for `namespace: no` or `token: 0755` ("cannot unmarshal bool into …
 *   of type string"), and so do we, saying which field, so nothing we write means something else.
 * - only the first document of the file counts (a trailing `---` is fine); a BOM is skipped.
 * - written with every string double-quoted (see stringifyForKubectl).
 *
 * Problems say where, never quote: a kubeconfig holds keys and tokens.
 */

type Shape = 'string' | 'strings' | 'stringMap' | 'stringsMap' | 'bool' | { [field: string]: Shape } | { list: Shape };

const NAMED = (field: string, body: Shape): Shape => ({ list: { name: 'string', [field]: body } });

/** The fields of kubectl's clientcmd v1 Config that are strings or booleans (k8s.io/client-go/tools/clientcmd/api/v1/types.go). */
const KUBECONFIG: Shape = {
  apiVersion: 'string',
  kind: 'string',
  'current-context': 'string',
  preferences: { colors: 'bool' },
  clusters: NAMED('cluster', {
    server: 'string',
    'tls-server-name': 'string',
    'insecure-skip-tls-verify': 'bool',
    'certificate-authority': 'string',
    'certificate-authority-data': 'string',
    'proxy-url': 'string',
    'disable-compression': 'bool',
  }),
  users: NAMED('user', {
    'client-certificate': 'string',
    'client-certificate-data': 'string',
    'client-key': 'string',
    'client-key-data': 'string',
    token: 'string',
    tokenFile: 'string',
    as: 'string',
    'as-uid': 'string',
    'as-groups': 'strings',
    'as-user-extra': 'stringsMap',
    username: 'string',
    password: 'string',
    'auth-provider': { name: 'string', config: 'stringMap' },
    exec: {
      command: 'string',
      args: 'strings',
      env: { list: { name: 'string', value: 'string' } },
      apiVersion: 'string',
      installHint: 'string',
      provideClusterInfo: 'bool',
      interactiveMode: 'string',
    },
  }),
  contexts: NAMED('context', { cluster: 'string', user: 'string', namespace: 'string' }),
};

export interface KubectlYamlDocument {
  /** The file's first document, YAML 1.1 (its node ranges are offsets into the text). */
  document: Document;
  lineCounter: LineCounter;
  /** The first problem, as `not valid YAML at line L, column C (CODE)`, if any. */
  problem?: string;
}

const OPTIONS = { version: '1.1', merge: true, prettyErrors: false, uniqueKeys: false } as const;

export function parseKubectlDocument(text: string): KubectlYamlDocument {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { ...OPTIONS, lineCounter });
  const first = Array.isArray(documents) ? documents[0] : undefined;
  if (!first || !isDocument(first)) {
    // An empty stream: no document at all, which kubectl reads as an empty config.
    return { document: parseAllDocuments('{}', OPTIONS)[0] as Document, lineCounter, problem: undefined };
  }
  const error = first.errors[0];
  return error ? { document: first, lineCounter, problem: yamlErrorProblem(error, lineCounter) } : { document: first, lineCounter };
}

/**
 * The document's value as kubectl decodes it: YAML 1.1 scalars, then Go's strict typing, so a
 * string field holding what YAML 1.1 reads as a boolean or a number (`namespace: no`,
 * `token: 0755`) is a problem, as is a boolean field holding text. The problem names the field,
 * never its value (it may be a token). An alias that cannot expand is a problem too (toJS's own
 * message names the alias, which is file content).
 */
export function kubectlValue(parsed: KubectlYamlDocument): { value: unknown; problem?: string } {
  let value: unknown;
  try {
    value = parsed.document.toJS({ maxAliasCount: 1000 }) as unknown;
  } catch {
    return { value: undefined, problem: 'not a kubeconfig: it uses a YAML alias that cannot be expanded' };
  }
  const problem = typeProblem(value, KUBECONFIG, '');
  return problem ? { value, problem } : { value };
}

function typeProblem(value: unknown, shape: Shape, path: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (shape === 'string') return typeof value === 'string' ? undefined : `${path} is ${kindOf(value)} to kubectl, not text (YAML 1.1 reads yes, no, on, off and numbers that way); quote the value`;
  if (shape === 'bool') return typeof value === 'boolean' ? undefined : `${path} must be true or false for kubectl, not ${kindOf(value)}`;
  if (shape === 'strings') return Array.isArray(value) ? firstOf(value.map((item, index) => typeProblem(item, 'string', `${path}[${index}]`))) : undefined;
  if (shape === 'stringMap' || shape === 'stringsMap') {
    if (!isPlainObject(value)) return undefined;
    const each: Shape = shape === 'stringMap' ? 'string' : 'strings';
    return firstOf(Object.entries(value).map(([key, item]) => typeProblem(item, each, `${path}.${key}`)));
  }
  if ('list' in shape && Object.keys(shape).length === 1) {
    const itemShape = shape.list as Shape;
    return Array.isArray(value) ? firstOf(value.map((item, index) => typeProblem(item, itemShape, `${path}[${index}]`))) : undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const fields = shape as Record<string, Shape>;
  return firstOf(Object.entries(value).map(([key, item]) => (Object.hasOwn(fields, key) ? typeProblem(item, fields[key]!, path ? `${path}.${key}` : key) : undefined)));
}

function firstOf(problems: ReadonlyArray<string | undefined>): string | undefined {
  return problems.find((problem) => problem !== undefined);
}

function kindOf(value: unknown): string {
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'number') return 'a number';
  if (value instanceof Date) return 'a timestamp';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return 'text';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * YAML that kubectl reads back as exactly these values. Strings double-quoted: kubectl reads YAML
 * 1.1, where a bare yes, no, on or 0777 is not a string; keys plain unless YAML 1.1 would read
 * them as something else (a key `on` is true there). No aliases and no folded lines, so any YAML
 * reader (client-node's included) sees exactly what was merged.
 */
export function stringifyForKubectl(value: unknown): string {
  return stringify(value, { version: '1.1', aliasDuplicateObjects: false, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
}
