// Deny by default, then allow exactly the paths the three tiers need:
// ingress controller -> front, api; front -> api; api -> db; everyone -> cluster DNS.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { COMPONENT_LABEL, type Component, PORTS, selectorLabels } from './contract.ts';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const DNS_PORT = 53;
const EVERYWHERE = '0.0.0.0/0';

export interface NetworkPoliciesProps {
  /** Namespace the policies protect. @default 'tristack' (the environment's namespace) */
  readonly namespace: string;
  /**
   * Namespace of the ingress controller, allowed to reach front and api.
   * @default 'ingress-nginx' (kind's and minikube's ingress-nginx)
   */
  readonly ingressControllerNamespace: string;
  /**
   * Namespace of a Prometheus allowed to scrape the API's /metrics.
   * @default undefined: no scraper allowed
   */
  readonly metricsScraperNamespace?: string;
  /**
   * Where the API's database is: the in-cluster `db` pods, or a managed MySQL at this port
   * outside the cluster (its address is not known here, so any address on that port).
   * @default the in-cluster db pods on 3306
   */
  readonly database: { readonly mode: 'in-cluster' } | { readonly mode: 'external'; port: number };
}

function pods(component: Component): k8s.NetworkPolicyPeer {
  return { podSelector: { matchLabels: selectorLabels(component) } };
}

function namespace(name: string): k8s.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: name } } };
}

function tcp(port: number): k8s.NetworkPolicyPort {
  return { protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) };
}

export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    // A tier's own policy carries its component label; the stack-wide ones carry none.
    const policy = (name: string, spec: k8s.NetworkPolicySpec, component?: Component) =>
      new k8s.KubeNetworkPolicy(this, name, {
        metadata: {
          name,
          namespace: props.namespace,
          ...(component === undefined ? {} : { labels: { [COMPONENT_LABEL]: component } }),
        },
        spec,
      });

    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

    policy('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              ...namespace('kube-system'),
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(DNS_PORT) }, tcp(DNS_PORT)],
        },
      ],
    });

    policy(
      'front',
      {
        podSelector: { matchLabels: selectorLabels('front') },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [namespace(props.ingressControllerNamespace)], ports: [tcp(PORTS.front)] },
        ],
        // httpd proxies /api/ to the Service `api`.
        egress: [{ to: [pods('api')], ports: [tcp(PORTS.api)] }],
      },
      'front',
    );

    const apiClients = [pods('front'), namespace(props.ingressControllerNamespace)];
    if (props.metricsScraperNamespace !== undefined) {
      apiClients.push(namespace(props.metricsScraperNamespace));
    }
    const database = props.database;
    policy(
      'api',
      {
        podSelector: { matchLabels: selectorLabels('api') },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: apiClients, ports: [tcp(PORTS.api)] }],
        egress: [
          database.mode === 'in-cluster'
            ? { to: [pods('db')], ports: [tcp(PORTS.db)] }
            : { to: [{ ipBlock: { cidr: EVERYWHERE } }], ports: [tcp(database.port)] },
        ],
      },
      'api',
    );

    if (database.mode === 'in-cluster') {
      policy(
        'db',
        {
          podSelector: { matchLabels: selectorLabels('db') },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [pods('api')], ports: [tcp(PORTS.db)] }],
          // The database calls no one (DNS aside, allowed above).
          egress: [],
        },
        'db',
      );
    }
  }
}
