import express, { type NextFunction, type Request, type Response } from 'express';
import { EmulatorError, faultKey, type EmulatedChain } from '@tsbms/module-emulator';
import { applyEmulatorCommand, describeZodError, emulatorCommandSchema } from './commands';

/** A request the API refuses; becomes a 4xx JSON answer and changes nothing. */
class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY = '16kb';

/**
 * The emulator's HTTP control API: read the whole emulated state and change it while it runs.
 * JSON in and out; every rejected request answers 400 (or 404/413) with a message, and nothing
 * changes, because the chain validates before it acts.
 */
export function createControlApi(chain: EmulatedChain): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: MAX_BODY }));

  const run = (body: unknown): string | undefined => {
    const parsed = emulatorCommandSchema.safeParse(body);
    if (!parsed.success) throw new BadRequest(400, 'BAD_REQUEST', describeZodError(parsed.error));
    return applyEmulatorCommand(chain, parsed.data);
  };
  const bodyField = (req: Request, field: string): unknown => {
    if (typeof req.body !== 'object' || req.body === null || !(field in req.body)) {
      throw new BadRequest(400, 'BAD_REQUEST', `body must be a JSON object with "${field}"`);
    }
    return (req.body as Record<string, unknown>)[field];
  };
  const index = (req: Request, name: string): number => {
    const text = String(req.params[name]);
    if (!/^\d+$/.test(text))
      throw new BadRequest(400, 'BAD_REQUEST', `${name} must be a whole number, got "${text}"`);
    return Number(text);
  };

  app.get('/api/state', (_req, res) => {
    res.json(chain.snapshot());
  });

  app.get('/api/faults', (_req, res) => {
    res.json({ faults: chain.activeFaults().map((spec) => ({ key: faultKey(spec), ...spec })) });
  });

  app.post('/api/faults', (req, res) => {
    res.status(201).json({ key: run({ action: 'startFault', fault: req.body }) });
  });

  app.delete('/api/faults/:key', (req, res) => {
    run({ action: 'stopFault', key: req.params.key });
    res.status(204).end();
  });

  app.put('/api/modules/:module/cells/:cell', (req, res) => {
    const module = index(req, 'module');
    const cell = index(req, 'cell');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if ('voltageV' in body) run({ action: 'setCellVoltage', module, cell, voltageV: body.voltageV });
    else if ('socPercent' in body) run({ action: 'setCellSoc', module, cell, socPercent: body.socPercent });
    else
      throw new BadRequest(400, 'BAD_REQUEST', 'body must be a JSON object with "voltageV" or "socPercent"');
    res.status(204).end();
  });

  app.put('/api/modules/:module/thermistors/:thermistor', (req, res) => {
    run({
      action: 'setThermistorTemperature',
      module: index(req, 'module'),
      thermistor: index(req, 'thermistor'),
      temperatureC: bodyField(req, 'temperatureC'),
    });
    res.status(204).end();
  });

  app.put('/api/modules/:module/temperature', (req, res) => {
    run({
      action: 'setModuleTemperature',
      module: index(req, 'module'),
      temperatureC: bodyField(req, 'temperatureC'),
    });
    res.status(204).end();
  });

  app.put('/api/pack/current', (req, res) => {
    run({ action: 'setPackCurrent', currentA: bodyField(req, 'currentA') });
    res.status(204).end();
  });

  app.put('/api/ambient', (req, res) => {
    run({ action: 'setAmbientTemperature', temperatureC: bodyField(req, 'temperatureC') });
    res.status(204).end();
  });

  /** The same commands a scenario file holds, one at a time. */
  app.post('/api/commands', (req, res) => {
    const key = run(req.body);
    res.status(200).json(key === undefined ? {} : { key });
  });

  app.use((req, res) => {
    res.status(404).json({ error: 'NOT_FOUND', message: `no route ${req.method} ${req.path}` });
  });

  // Express recognises an error handler by its four parameters.
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    // A reply already on its way cannot become an error reply: Express closes the connection.
    if (res.headersSent) return next(error);
    if (error instanceof BadRequest) {
      res.status(error.status).json({ error: error.code, message: error.message });
    } else if (error instanceof EmulatorError) {
      res.status(400).json({ error: error.code, message: error.message, context: error.context });
    } else if (isHttpError(error)) {
      // body-parser: malformed JSON (400), oversized body (413), wrong charset (415).
      res.status(error.status).json({ error: error.type ?? 'BAD_REQUEST', message: error.message });
    } else {
      res.status(500).json({ error: 'INTERNAL', message: (error as Error).message });
    }
  });
  return app;
}

function isHttpError(error: unknown): error is { status: number; type?: string; message: string } {
  return (
    typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number'
  );
}
