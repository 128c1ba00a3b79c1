import type { NotificationChannel } from './notification';
import type { NotificationsConfig } from './notifications-config';
import { emailChannel } from './channels/email';
import { gotifyChannel } from './channels/gotify';
import { ntfyChannel } from './channels/ntfy';
import { webhookChannel } from './channels/webhook';

/** The channels the section configures, in a fixed order (ntfy, Gotify, webhook, e-mail). */
export function configuredChannels(
  config: NotificationsConfig,
  fetch?: typeof globalThis.fetch,
): NotificationChannel[] {
  const http = fetch === undefined ? {} : { fetch };
  return [
    ...(config.ntfy === null ? [] : [ntfyChannel({ ...config.ntfy, ...http })]),
    ...(config.gotify === null ? [] : [gotifyChannel({ ...config.gotify, ...http })]),
    ...(config.webhook === null ? [] : [webhookChannel({ ...config.webhook, ...http })]),
    ...(config.email === null ? [] : [emailChannel(config.email)]),
  ];
}
