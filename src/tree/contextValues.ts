/**
 * Every `contextValue` the tree sets, in one place; package.json menus match on these
 * (always behind `view == vcluster.clusters`).
 */
export const ContextValues = {
  hostContext: 'hostContext',
  hostContextUnreachable: 'hostContext.unreachable',
  vcluster: (tone: string) => `vcluster.${tone}`,
} as const;

/** Context keys the extension sets for `when` clauses (viewsWelcome among them). */
export const ContextKeys = {
  kubeconfigState: 'vcluster.kubeconfigState',
} as const;
