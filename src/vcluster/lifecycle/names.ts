/**
 * Name checks run as the user types, so a bad name never reaches helm: a vCluster's name becomes
 * a Helm release, a StatefulSet, Services and a namespace, all DNS-1123 labels.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The CLI leaves names to helm (release names up to 53) and Kubernetes; we stop at 52 because a
 * StatefulSet's pods carry a controller-revision-hash label of the name plus 11 characters, and
 * label values end at 63: a 53-character vCluster would install and never start.
 */
export const MAX_VCLUSTER_NAME_LENGTH = 52;

function dnsLabelProblem(value: string, what: string, maxLength: number): string | undefined {
  if (value === '') return `Enter a ${what}.`;
  if (value.length > maxLength) return `A ${what} can have at most ${maxLength} characters (this one has ${value.length}).`;
  if (/[A-Z]/.test(value)) return `A ${what} must be lower case.`;
  if (!DNS1123_LABEL.test(value)) {
    return `A ${what} may contain only lower-case letters, digits and '-', and must start and end with a letter or digit.`;
  }
  return undefined;
}

/** Why `name` cannot name a vCluster, or undefined when it can. */
export function vclusterNameProblem(name: string): string | undefined {
  return dnsLabelProblem(name, 'vCluster name', MAX_VCLUSTER_NAME_LENGTH);
}

export function namespaceProblem(namespace: string): string | undefined {
  return dnsLabelProblem(namespace, 'namespace', 63);
}

/** The namespace `vcluster create` uses when none is given. */
export function defaultNamespace(name: string): string {
  return `vcluster-${name}`;
}
