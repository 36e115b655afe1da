import { type FSWatcher, existsSync, readFileSync, watch } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ValidationError, logger } from '@robofm/core';
import type { Command } from '../command.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve a policy over the openpi-compatible WebSocket protocol and an HTTP API',
  description:
    'With no argument serves the demo checkpoint of @robofm/policy, or a scripted hold-sine policy while none is\n' +
    'shipped. [checkpoint] may be a checkpoint or run directory, "demo" or "scripted". Several models:\n' +
    '--models id=path,id2=scripted. WebSocket: ws://host:port/ (default model) or /v1/models/{id}/ws.\n' +
    'HTTP: GET /healthz, GET /v1/models, POST /v1/models/{id}/infer (msgpack or JSON), POST /v1/models/{id}/reload,\n' +
    'GET /metrics. API keys: --api-keys KEY[:RATE[:BURST]][@NAME],... (or ROBOFM_API_KEYS). SIGHUP reloads all models;\n' +
    '--watch reloads a model when its checkpoint directory changes.',
  positionals: [
    {
      name: 'checkpoint',
      help: 'checkpoint dir, run dir, "demo" or "scripted" (default: demo, else scripted)',
    },
  ],
  options: {
    models: { type: 'string', help: 'several models: id=checkpoint|scripted|demo, comma-separated' },
    host: { type: 'string', help: 'address to bind', default: '0.0.0.0' },
    port: { type: 'number', help: 'port (0 = any free port)', default: 8000 },
    'api-keys': {
      type: 'string',
      help: 'KEY[:RATE_PER_S[:BURST]][@NAME],... (default: $ROBOFM_API_KEYS; none = open)',
    },
    'max-batch': { type: 'number', help: 'most requests per policy call (1 = no batching)', default: 16 },
    'max-wait-ms': {
      type: 'number',
      help: 'longest a request waits for its batch to fill (0: an idle model starts at once; requests that queue while it is busy form the next batch)',
      default: 0,
    },
    'max-frame-mb': { type: 'number', help: 'largest request frame accepted (MiB)', default: 32 },
    'timeout-ms': { type: 'number', help: 'longest one request may spend in the model', default: 30000 },
    horizon: { type: 'number', help: 'action horizon of the scripted policy', default: 16 },
    watch: { type: 'boolean', help: 'hot-reload a model when its checkpoint directory changes' },
    layouts: {
      type: 'string',
      help: 'JSON file with extra request key mappings [{name, embodiments, state, images:[{path, cameras, required}], prompt}] (tried before ALOHA)',
    },
  },
  examples: [
    'robofm serve',
    'robofm serve runs/demo --watch --port 8000',
    'robofm serve --models vla=runs/big,scripted=scripted --api-keys robot1key:50@robot1',
  ],
  async run({ positionals, options }) {
    const { PolicyServer, loadDefaultPolicy, parseApiKeys } = await import('@robofm/serve');
    const { DEFAULT_LAYOUTS, parseRequestLayouts } = await import('@robofm/protocol');
    let layouts = DEFAULT_LAYOUTS;
    if (options.layouts) {
      const file = String(options.layouts);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new ValidationError('--layouts', file, `a readable JSON file (${(e as Error).message})`);
      }
      layouts = [...parseRequestLayouts(json), ...DEFAULT_LAYOUTS];
    }
    const log = logger.child({ cmd: 'serve' });
    const entries: { id?: string; source: string }[] = [];
    if (options.models) {
      for (const part of String(options.models).split(',')) {
        const m = /^([^=]+)=(.+)$/.exec(part.trim());
        if (!m) throw new ValidationError('--models', part, 'id=checkpoint entries, comma-separated');
        entries.push({ id: m[1], source: m[2] });
      }
    } else entries.push({ source: positionals[0] ?? '' });
    const models = [];
    for (const e of entries) {
      const loaded = await loadDefaultPolicy(e.source || undefined, {
        scripted: { horizon: Number(options.horizon), ...(e.id ? { id: e.id } : {}) },
        logger: log,
      });
      log.info('model loaded', { id: e.id ?? loaded.policy.metadata.id, source: loaded.source });
      models.push({
        policy: loaded.policy,
        layouts,
        ...(e.id ? { id: e.id } : {}),
        ...(loaded.load ? { load: loaded.load } : {}),
        path: e.source,
      });
    }
    const server = await PolicyServer.start({
      models,
      host: String(options.host),
      port: Number(options.port),
      apiKeys: parseApiKeys((options['api-keys'] as string | undefined) ?? process.env.ROBOFM_API_KEYS),
      batch: { maxBatch: Number(options['max-batch']), maxWaitMs: Number(options['max-wait-ms']) },
      maxFrameBytes: Math.round(Number(options['max-frame-mb']) * 1024 * 1024),
      requestTimeoutMs: Number(options['timeout-ms']),
      warmUp: true,
      logger: log,
    });
    // The server handles its own errors; this is the last net so a stray bug never takes robots down.
    const onStray = (e: unknown) => log.error('unexpected error (server keeps running)', { err: e });
    process.on('uncaughtException', onStray);
    process.on('unhandledRejection', onStray);
    const reloadAll = () => {
      for (const id of server.models.keys())
        server.reload(id).catch((e) => log.warn('reload failed', { model: id, err: e }));
    };
    process.on('SIGHUP', reloadAll);
    const watchers: FSWatcher[] = [];
    if (options.watch) {
      for (const [i, m] of models.entries()) {
        if (!m.load || !m.path || m.path === 'demo') continue;
        const id = [...server.models.keys()][i];
        let timer: NodeJS.Timeout | null = null;
        // A run dir gets a new `latest`; a checkpoint dir is replaced by a rename (saveCheckpoint is
        // atomic), so watch its parent for its name.
        const isCheckpoint = existsSync(join(m.path, 'config.json'));
        const dir = isCheckpoint ? dirname(m.path) : m.path;
        const name = basename(m.path);
        watchers.push(
          watch(dir, { recursive: false }, (_event, file) => {
            if (isCheckpoint && file !== null && file !== name) return;
            if (timer) clearTimeout(timer);
            // debounce: a checkpoint is several files written in a row
            timer = setTimeout(
              () => server.reload(id).catch((e) => log.warn('reload failed', { model: id, err: e })),
              1000,
            );
          }),
        );
        log.info('watching for new checkpoints', { model: id, path: m.path });
      }
    }
    process.stderr.write(
      `robofm serve: ${server.url} (models: ${[...server.models.keys()].join(', ')}); Ctrl-C stops\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    for (const w of watchers) w.close();
    await server.close();
    return 0;
  },
};
