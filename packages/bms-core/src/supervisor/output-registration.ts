import type { OutputContext, OutputFactory } from '../output-service';
import type { ServiceFactory, SupervisorContext } from './supervisor-ports';

/**
 * An output's own context, over the supervisor's: `settings()` is `settingsOf` the running
 * configuration, `configuration` the whole of it, `linkStats()` the source's counters.
 */
export function outputContext<Config, Settings>(
  context: SupervisorContext<Config>,
  settingsOf: (config: Config) => Settings,
): OutputContext<Settings> {
  return {
    clock: context.clock,
    logger: context.logger,
    settings: () => settingsOf(context.config()),
    status: () => context.status(),
    status$: context.status$,
    faultEvents: () => context.faultEvents(),
    faultEvents$: context.faultEvents$,
    acknowledgeFaults: (request) => context.acknowledgeFaults(request),
    balanceNow: (source) => context.balanceNow(source),
    requestRestart: (reason, source) => context.requestRestart(reason, source),
    configuration: {
      current: () => context.config(),
      update: (patch, source) => context.updateConfig(patch, source),
    },
    linkStats: () => context.linkStats(),
  };
}

/**
 * Registers an output: started with an OutputContext of its own, made once per supervisor context,
 * so that the output started again after a restart has the same one (HTTP keeps its history by it).
 */
export function outputService<Config, Settings>(
  start: OutputFactory<Settings>,
  settingsOf: (config: Config) => Settings,
): ServiceFactory<Config> {
  const contexts = new WeakMap<SupervisorContext<Config>, OutputContext<Settings>>();
  return (context) => {
    let own = contexts.get(context);
    if (own === undefined) {
      own = outputContext(context, settingsOf);
      contexts.set(context, own);
    }
    return start(own);
  };
}
