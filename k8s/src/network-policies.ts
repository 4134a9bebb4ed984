// Deny by default, then allow exactly the paths the three tiers need:
// ingress controller -> front, api; front -> api; api -> db; db-backup -> db; everyone -> DNS.
// Each tier's peers are its workload objects, so a policy cannot drift from the pods it means.
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { COMPONENT_LABEL, type Component, PORTS } from './contract.ts';

const DNS_PORT = 53;
const KUBE_DNS_LABELS = { 'k8s-app': 'kube-dns' };

export interface NetworkPoliciesProps {
  /** Namespace the policies protect. @default 'tristack' (the environment's namespace) */
  readonly namespace: string;
  /** The front's pods. */
  readonly front: kplus.Pods;
  /** The API's pods. */
  readonly api: kplus.Pods;
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
   * With the backup CronJob on, its pods too: they reach the db and nothing else.
   * @default the in-cluster db pods on 3306, no backup pods
   */
  readonly database:
    | { readonly mode: 'in-cluster'; readonly pods: kplus.Pods; readonly backup?: kplus.Pods }
    | { readonly mode: 'external'; readonly port: number };
}

export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    // A tier's own policy carries its component label; the stack-wide ones carry none.
    const policy = (name: string, selector?: kplus.IPodSelector, component?: Component) =>
      new kplus.NetworkPolicy(this, name, {
        metadata: {
          name,
          namespace: props.namespace,
          ...(component === undefined ? {} : { labels: { [COMPONENT_LABEL]: component } }),
        },
        ...(selector === undefined ? {} : { selector }),
        ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
        egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      });
    const namespace = (name: string) =>
      kplus.Namespaces.select(this, `namespace-${name}`, { names: [name] });
    const tcp = kplus.NetworkPolicyPort.tcp;

    policy('default-deny');

    const dns = new kplus.NetworkPolicy(this, 'allow-dns', {
      metadata: { name: 'allow-dns', namespace: props.namespace },
    });
    const clusterDns = kplus.Pods.select(this, 'cluster-dns', {
      labels: KUBE_DNS_LABELS,
      namespaces: namespace('kube-system'),
    });
    dns.addEgressRule(clusterDns, [kplus.NetworkPolicyPort.udp(DNS_PORT), tcp(DNS_PORT)]);

    const ingressController = namespace(props.ingressControllerNamespace);
    const front = policy('front', props.front, 'front');
    front.addIngressRule(ingressController, [tcp(PORTS.front)]);
    // httpd proxies /api/ to the Service `api`.
    front.addEgressRule(props.api, [tcp(PORTS.api)]);

    const api = policy('api', props.api, 'api');
    const apiClients: kplus.INetworkPolicyPeer[] = [props.front, ingressController];
    if (props.metricsScraperNamespace !== undefined) {
      apiClients.push(namespace(props.metricsScraperNamespace));
    }
    for (const client of apiClients) api.addIngressRule(client, [tcp(PORTS.api)]);
    const database = props.database;
    if (database.mode === 'in-cluster') {
      api.addEgressRule(database.pods, [tcp(PORTS.db)]);
      // The database calls no one (DNS aside, allowed above).
      const db = policy('db', database.pods, 'db');
      db.addIngressRule(props.api, [tcp(PORTS.db)]);
      if (database.backup !== undefined) {
        db.addIngressRule(database.backup, [tcp(PORTS.db)]);
        // Nothing calls the backup pods; they call the db only.
        policy('db-backup', database.backup, 'db').addEgressRule(database.pods, [tcp(PORTS.db)]);
      }
    } else {
      api.addEgressRule(kplus.NetworkPolicyIpBlock.anyIpv4(this, 'anywhere'), [tcp(database.port)]);
    }
  }
}
