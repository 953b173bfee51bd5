/**
 * Every `contextValue` the tree sets, in one place; package.json menus match on these
 * (always behind `view == vcluster.clusters`).
 */
export const ContextValues = {
  /** hostContext[.unreachable][.kind]: `.kind` marks a context kind made (kind-NAME). */
  hostContext: (unreachable: boolean, kind: boolean) => `hostContext${unreachable ? '.unreachable' : ''}${kind ? '.kind' : ''}`,
  /** vcluster.<tone>[.connected][.busy]: package.json menus match these with regular expressions. */
  vcluster: (tone: string, connected = false, busy = false) => `vcluster.${tone}${connected ? '.connected' : ''}${busy ? '.busy' : ''}`,
  mappingNamespace: 'mappingNamespace',
  mappingKind: 'mappingKind',
  mappingMessage: 'mappingMessage',
  /** mappingPair.<status>[.virtual][.host][.pod]: which sides can be opened; `.pod`: it has logs. */
  mappingPair: (status: string, hasVirtual: boolean, hasHost: boolean, isPod = false) => `mappingPair.${status}${hasVirtual ? '.virtual' : ''}${hasHost ? '.host' : ''}${isPod ? '.pod' : ''}`,
} as const;

/** Context keys the extension sets for `when` clauses (viewsWelcome among them). */
export const ContextKeys = {
  kubeconfigState: 'vcluster.kubeconfigState',
} as const;
