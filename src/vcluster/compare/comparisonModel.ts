import type { PairStatus } from '../mapping/mapping';
import type { ObjectEvent } from '../mapping/pairEvents';

/**
 * What a comparison of a pair's two objects finds, as the core's own model. The inspector turns
 * it into its wire format (src/inspector/pairDetailMessage.ts); the core never sees the protocol.
 */

/** How a label or annotation differs between the virtual object and the host object. */
export type MetadataChange =
  | 'same'
  /** On the host only, in the syncer's vcluster.loft.sh/ namespace: a marker it added. */
  | 'marker'
  /** On the host only, not a syncer marker (added on the host by the syncer or another controller). */
  | 'hostOnly'
  /** In the virtual cluster only: not copied to the host. */
  | 'virtualOnly'
  /** On both sides with different values. */
  | 'rewritten';

export interface MetadataRow {
  key: string;
  virtual?: string;
  host?: string;
  change: MetadataChange;
}

/** One line of a unified diff; 'skip' stands for `count` unchanged lines left out. */
export type DiffLine =
  | { op: 'same' | 'removed' | 'added'; text: string }
  | { op: 'skip'; count: number };

export interface ObjectName {
  namespace?: string;
  name: string;
}

/** Both objects of a pair read now and compared: what the detail pane shows. */
export interface PairComparisonDetail {
  id: string;
  kind: string;
  status: PairStatus;
  virtual?: ObjectName;
  host?: ObjectName;
  /** Whether each side could be read now. */
  virtualRead: boolean;
  hostRead: boolean;
  labels: MetadataRow[];
  annotations: MetadataRow[];
  /** The objects without metadata and status, as YAML with sorted keys, virtual → host. */
  body: DiffLine[];
  /** Lines for the reader: why a side is missing, that Secret values are hidden. */
  notes: string[];
  /** Both sides' events, newest first. */
  events: ObjectEvent[];
  /** Why a side's events are missing. */
  eventNotes: string[];
}
