export * from './notification';
export {
  NOTIFICATIONS_SECRET_CONFIG_PATHS,
  notificationsConfigSchema,
  type NotificationsConfig,
} from './notifications-config';
export {
  initialNotificationPolicyState,
  notificationKey,
  stepNotificationPolicy,
  type NotificationPolicyInput,
  type NotificationPolicySettings,
  type NotificationPolicyState,
  type NotificationPolicyStep,
} from './notification-policy';
export { deliverTo, retryDelayMs, type DeliveryOutcome, type RetrySettings } from './delivery';
export { heartbeatPings, pingHeartbeat } from './heartbeat';
export { configuredChannels } from './configured-channels';
export {
  NotificationsOutput,
  startNotificationsOutput,
  type NotificationsOutputOptions,
  type NotificationsOutputSettings,
} from './notifications-output';
export { ntfyChannel, type NtfyChannelOptions } from './channels/ntfy';
export { gotifyChannel, type GotifyChannelOptions } from './channels/gotify';
export { webhookChannel, type WebhookChannelOptions, type WebhookPayload } from './channels/webhook';
export {
  DEFAULT_EMAIL_TIMEOUT_MS,
  emailChannel,
  type EmailChannelOptions,
  type MailTransport,
} from './channels/email';
export { DEFAULT_HTTP_TIMEOUT_MS, type HttpChannelOptions } from './channels/http-post';
