import { Document, isMap, isSeq, parseDocument, YAMLMap } from 'yaml';

type Json = Record<string, unknown>;

export interface KubeconfigEntries {
  clusters: Json[];
  users: Json[];
  contexts: Json[];
}

/**
 * What `vcluster connect` does to a kubeconfig, for users who ask for it (the setting
 * vcluster.workspace.writeToUserKubeconfig): the context's entries added or replaced by
 * name, and current-context set. Edits the YAML document in place, so comments, ordering and
 * every field we do not know stay exactly as they were.
 */
export function editKubeconfigText(path: string, text: string, currentContext: string, entries?: KubeconfigEntries): string {
  // Only current-context changes: edit that one line, so every other byte stays as it was.
  const line = /^current-context:[^\n]*$/m;
  if (!entries && line.test(text) && parseDocument(text).errors.length === 0) {
    return text.replace(line, `current-context: ${JSON.stringify(currentContext)}`.replace(/^current-context: "([A-Za-z0-9_.:@/-]+)"$/, 'current-context: $1'));
  }
  // An empty file starts as an empty block mapping (parsing "{}" would keep flow style).
  const document = (text.trim() === '' ? new Document(new YAMLMap()) : parseDocument(text)) as Document;
  if (document.errors.length > 0) {
    throw new Error(`${path} is not valid YAML (${document.errors[0]!.message.split('\n')[0]}); it was left as it is.`);
  }
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
