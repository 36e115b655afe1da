/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (version 0.0.4) that Prometheus scrapes from `/metrics`.
 */

type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map(
      (k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',');
}

function fmt(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${fmt(v)}`);
    return lines.join('\n');
  }
}

export class Gauge implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  set(labels: Labels, v: number): void {
    this.values.set(labelKey(labels), v);
  }
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  dec(labels: Labels = {}, by = 1): void {
    this.inc(labels, -by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${fmt(v)}`);
    return lines.join('\n');
  }
}

interface HistState {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  private readonly values = new Map<string, HistState>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {}
  observe(labels: Labels, v: number): void {
    const k = labelKey(labels);
    let s = this.values.get(k);
    if (!s) {
      s = { counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.values.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]) s.counts[i]++;
    s.sum += v;
    s.count++;
  }
  count(labels: Labels = {}): number {
    return this.values.get(labelKey(labels))?.count ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.values) {
      const sep = k ? `${k},` : '';
      for (const [i, b] of this.buckets.entries())
        lines.push(`${this.name}_bucket{${sep}le="${fmt(b)}"} ${s.counts[i]}`);
      lines.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum${k ? `{${k}}` : ''} ${fmt(s.sum)}`);
      lines.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines.join('\n');
  }
}

const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64];

/** The server's metrics, one registry per server instance. */
export class ServerMetrics {
  readonly requestDuration = new Histogram(
    'robofm_request_duration_seconds',
    'Time from request received to reply sent, by model and transport.',
    LATENCY_BUCKETS_S,
  );
  readonly inferDuration = new Histogram(
    'robofm_infer_duration_seconds',
    'Time inside Policy.infer / inferBatch per batch, by model.',
    LATENCY_BUCKETS_S,
  );
  readonly queueDuration = new Histogram(
    'robofm_queue_duration_seconds',
    'Time a request waited for its batch to start, by model.',
    LATENCY_BUCKETS_S,
  );
  readonly batchSize = new Histogram(
    'robofm_batch_size',
    'Requests per policy call, by model.',
    BATCH_BUCKETS,
  );
  readonly requests = new Counter('robofm_requests_total', 'Requests by model, transport and outcome.');
  readonly errors = new Counter('robofm_errors_total', 'Errors by error code and transport.');
  readonly connections = new Gauge('robofm_websocket_connections', 'Open WebSocket connections.');
  readonly connectionsTotal = new Counter(
    'robofm_websocket_connections_total',
    'WebSocket connections accepted.',
  );
  readonly rateLimited = new Counter(
    'robofm_rate_limited_total',
    'Requests refused by a per-key rate limit.',
  );
  readonly authFailures = new Counter(
    'robofm_auth_failures_total',
    'Requests refused for a missing or unknown API key.',
  );
  readonly reloads = new Counter('robofm_model_reloads_total', 'Hot reloads by model and outcome.');

  render(): string {
    const all: Metric[] = [
      this.requestDuration,
      this.inferDuration,
      this.queueDuration,
      this.batchSize,
      this.requests,
      this.errors,
      this.connections,
      this.connectionsTotal,
      this.rateLimited,
      this.authFailures,
      this.reloads,
    ];
    return `${all.map((m) => m.render()).join('\n')}\n`;
  }
}
