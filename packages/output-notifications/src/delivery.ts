import {
  catchError,
  concatMap,
  defer,
  EMPTY,
  Observable,
  retry,
  throwError,
  timer,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import { errorMessage } from '@tsbms/hal';
import { NotificationSendError, type Notification, type NotificationChannel } from './notification';

/*
 * Delivery to one channel: in order (a clear never overtakes its raise), each message retried with
 * a doubling delay while the failure is worth retrying, given up after maxAttempts. It never
 * throws and never waits on the BMS: the caller subscribes and forgets.
 */

export interface RetrySettings {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Sends in all, the first included. */
  readonly maxAttempts: number;
}

/** What happened to one message on one channel. */
export type DeliveryOutcome =
  | { readonly type: 'delivered'; readonly notification: Notification; readonly attempts: number }
  /** A failed attempt that will be retried after `retryInMs`. */
  | {
      readonly type: 'retrying';
      readonly notification: Notification;
      readonly attempt: number;
      readonly retryInMs: number;
      readonly error: string;
    }
  | {
      readonly type: 'givenUp';
      readonly notification: Notification;
      readonly attempts: number;
      readonly error: string;
    };

/** The delay before retry `attempt` (1 = the first retry): initial, doubling, capped. */
export function retryDelayMs(attempt: number, settings: RetrySettings): number {
  return Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** (attempt - 1));
}

const retryable = (error: unknown) => !(error instanceof NotificationSendError) || error.retryable;

/** Sends every notification through `channel`, reporting each attempt's outcome. */
export function deliverTo(
  channel: NotificationChannel,
  settings: RetrySettings,
  scheduler: SchedulerLike,
): OperatorFunction<Notification, DeliveryOutcome> {
  return (notifications$) =>
    notifications$.pipe(concatMap((notification) => deliverOne(channel, notification, settings, scheduler)));
}

function deliverOne(
  channel: NotificationChannel,
  notification: Notification,
  settings: RetrySettings,
  scheduler: SchedulerLike,
): Observable<DeliveryOutcome> {
  return new Observable<DeliveryOutcome>((subscriber) => {
    let attempts = 0;
    return defer(() => {
      attempts++;
      return channel.send(notification);
    })
      .pipe(
        retry({
          count: settings.maxAttempts - 1,
          delay: (error: unknown, retryCount) => {
            if (!retryable(error)) return throwError(() => error);
            const retryInMs = retryDelayMs(retryCount, settings);
            subscriber.next({
              type: 'retrying',
              notification,
              attempt: attempts,
              retryInMs,
              error: errorMessage(error),
            });
            return timer(retryInMs, scheduler);
          },
        }),
        catchError((error: unknown) => {
          subscriber.next({ type: 'givenUp', notification, attempts, error: errorMessage(error) });
          return EMPTY;
        }),
      )
      .subscribe({
        next: () => subscriber.next({ type: 'delivered', notification, attempts }),
        complete: () => subscriber.complete(),
      });
  });
}
