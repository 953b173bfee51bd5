import type { KubeClient, kubeConfigForContext } from './client';
import type { KubeconfigDocument } from './kubeconfig';

export interface HostClientsOptions {
  /** The merged kubeconfig now; undefined until it has been read. */
  kubeconfig: () => { document: KubeconfigDocument } | undefined;
  /** The Kubernetes client, loaded on first use (the core bundle). */
  loadClient: () => Promise<{ KubeClient: typeof KubeClient; kubeConfigForContext: typeof kubeConfigForContext }>;
}

/** Clients for the host contexts of the user's kubeconfig, made as each request needs one. */
export class HostClients {
  constructor(private readonly options: HostClientsOptions) {}

  async client(hostContext: string): Promise<KubeClient> {
    const kubeconfig = this.options.kubeconfig();
    if (!kubeconfig) throw new Error('No kubeconfig is loaded; refresh the vCluster view first.');
    if (!kubeconfig.document.contexts.some((context) => context.name === hostContext)) {
      throw new Error(`The kube context ${hostContext} is no longer in your kubeconfig.`);
    }
    const { KubeClient, kubeConfigForContext } = await this.options.loadClient();
    return new KubeClient(kubeConfigForContext(kubeconfig.document, hostContext));
  }
}
