export { RecordingChannel } from './recording-channel';
export { notificationFixture } from './notification-fixture';
export {
  notificationChannelContract,
  notificationChannelContractCases,
  type DeliveredNotification,
  type NotificationChannelEnds,
  type PeerBehaviour,
} from './channel-contract';
