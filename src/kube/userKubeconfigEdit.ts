import { Document, isMap, isSeq, YAMLMap } from 'yaml';
import type { KubeconfigDocument } from './kubeconfig';
import { parseKubectlDocument } from './kubectlYaml';

export type KubeconfigEntries = Pick<KubeconfigDocument, 'clusters' | 'users' | 'contexts'>;

/**
 * What `vcluster connect` does to a kubeconfig, for users who ask for it (the setting
 * vcluster.workspace.writeToUserKubeconfig): the context's entries added or replaced by
 * name, and current-context set. Edits the YAML document in place, so comments, ordering and
 * every field we do not know stay exactly as they were. The document is read as kubectl reads it
 * (kubectlYaml.ts), so what we add is written as kubectl will read it: a context named `on` or
 * `yes` is quoted, where a YAML 1.2 writer would leave what kubectl reads as a boolean.
 */
export function editKubeconfigText(path: string, text: string, currentContext: string, entries?: KubeconfigEntries): string {
  // Only current-context changes: edit that one line, so every other byte stays as it was.
  const line = /^current-context:[^\n]*$/m;
  if (!entries && line.test(text) && !parseKubectlDocument(text).problem) {
    return text.replace(line, `current-context: ${readsAsItself(currentContext) ? currentContext : JSON.stringify(currentContext)}`);
  }
  // An empty file starts as an empty block mapping (parsing "{}" would keep flow style).
  const parsed = text.trim() === '' ? { document: new Document(new YAMLMap(), { version: '1.1' }), problem: undefined } : parseKubectlDocument(text);
  if (parsed.problem) throw new Error(`${path} is ${parsed.problem}; it was left as it is.`);
  const document = parsed.document;
  if (!isMap(document.contents)) throw new Error(`${path} is not a kubeconfig (not a mapping); it was left as it is.`);
  if (!document.has('apiVersion')) document.set('apiVersion', 'v1');
  if (!document.has('kind')) document.set('kind', 'Config');
  for (const key of ['clusters', 'users', 'contexts'] as const) {
    const incoming = entries?.[key] ?? [];
    if (incoming.length === 0) continue;
    let list = document.get(key, true);
    if (list === undefined || list === null || (!isSeq(list) && (list as { value?: unknown }).value === null)) {
      document.set(key, document.createNode([]));
      list = document.get(key, true);
    }
    if (!isSeq(list)) throw new Error(`${path}: ${key} is not a list; it was left as it is.`);
    for (const entry of incoming) {
      const index = list.items.findIndex((item) => isMap(item) && (item as YAMLMap).get('name') === entry.name);
      const node = document.createNode(entry);
      if (index >= 0) list.items[index] = node;
      else list.items.push(node);
    }
  }
  document.set('current-context', currentContext);
  return document.toString();
}

/** Whether `name`, written plain, is read back by kubectl as this very string (not `yes`, `0755`, `a: b`). */
function readsAsItself(name: string): boolean {
  if (!/^[A-Za-z0-9_.:@/-]+$/.test(name)) return false;
  const parsed = parseKubectlDocument(`${name}\n`);
  return !parsed.problem && parsed.document.toJS() === name;
}
