import { HostClients } from '../kube/hostClients';
import { VClusterConnector, type ConnectorOptions } from './connect/connector';
import { OperationTracker } from './lifecycle/operationTracker';
import { VClusterLifecycle, type LifecycleOptions } from './lifecycle/vclusterLifecycle';

export type VClusterServicesOptions = Omit<LifecycleOptions, 'hostClient' | 'tracker' | 'connector'> & Pick<ConnectorOptions, 'connectServers'>;

/**
 * The three services every vCluster feature stands on, wired the one way they fit: host clients
 * from the kubeconfig, one operation tracker shared by the lifecycle and the connector (connect
 * never overlaps a pause), and the lifecycle told of the connector (delete forgets a connection).
 * The container and the tests build them here, so the wiring is in one place.
 */
export function createVClusterServices(options: VClusterServicesOptions) {
  const hostClients = new HostClients({ kubeconfig: options.kubeconfig, loadClient: options.loadCoreBundle });
  const hostClient = (hostContext: string) => hostClients.client(hostContext);
  const tracker = new OperationTracker();
  const connector = new VClusterConnector({ ...options, hostClient, tracker });
  const lifecycle = new VClusterLifecycle({ ...options, hostClient, tracker, connector });
  return { hostClient, tracker, connector, lifecycle, dispose: () => connector.dispose() };
}

export type VClusterServices = ReturnType<typeof createVClusterServices>;
