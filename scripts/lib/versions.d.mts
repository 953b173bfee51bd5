// Types of versions.mjs for the TypeScript side.
export const versions: {
  codeServer: string;
  vscode: string;
  vscodeRipgrepCache: string;
  ripgrepArchive: string;
  kubernetes: string;
  kubernetesStaging: string;
  etcd: string;
  kwok: string;
  vcluster: string;
  helm: string;
  kine: string;
  goMinimum: string;
};
